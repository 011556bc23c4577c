-- Timestamps in grain state are ISO-8601 with an offset (System.Text.Json writes DateTimeOffset with one,
-- and UTC DateTime with Z), so converting them does not depend on the session time zone. That makes this
-- conversion safe to declare immutable, which expression indexes require.
CREATE FUNCTION retail_timestamp(value text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN value::timestamptz;

CREATE INDEX retail_orders_by_received ON retail_grain_state
    (service_id, retail_timestamp(state ->> 'receivedAt'), (state ->> 'orderId'))
    WHERE state_name = 'order';

CREATE INDEX retail_orders_by_status ON retail_grain_state
    (service_id, (state ->> 'status'), retail_timestamp(state ->> 'receivedAt'), (state ->> 'orderId'))
    WHERE state_name = 'order';

CREATE INDEX retail_orders_by_channel ON retail_grain_state
    (service_id, (state ->> 'channel'), retail_timestamp(state ->> 'receivedAt'), (state ->> 'orderId'))
    WHERE state_name = 'order';
