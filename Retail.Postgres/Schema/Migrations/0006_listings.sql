-- The operations read model as rows the project owns: a grain state declares its listing rows and the grain storage
-- upserts them in the statement that writes the state. Each row carries the grain that owns it and the version of its
-- listing type. Existing state is copied in once here, so an upgraded database keeps its listings; from now on
-- nothing reads the grains' private JSON.
CREATE TABLE retail_order_listing (
    service_id            text        NOT NULL,
    order_id              text        NOT NULL,
    grain_id              text        NOT NULL,
    listing_version       integer     NOT NULL,
    channel               text        NOT NULL,
    channel_order_id      text        NOT NULL,
    status                text        NOT NULL,
    received_at           timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    released_at           timestamptz,
    posting_accepted_at   timestamptz,
    shipped_at            timestamptz,
    refund_pending_amount numeric     NOT NULL,
    hold_reason           text,
    grand_total           numeric     NOT NULL,
    PRIMARY KEY (service_id, order_id)
);

CREATE INDEX retail_order_listing_by_received ON retail_order_listing (service_id, received_at, order_id);
CREATE INDEX retail_order_listing_by_status ON retail_order_listing (service_id, status, received_at, order_id);
CREATE INDEX retail_order_listing_by_channel ON retail_order_listing (service_id, channel, received_at, order_id);

CREATE TABLE retail_return_listing (
    service_id      text        NOT NULL,
    order_id        text        NOT NULL,
    return_id       text        NOT NULL,
    grain_id        text        NOT NULL,
    listing_version integer     NOT NULL,
    authorized_at   timestamptz NOT NULL,
    received_at     timestamptz,
    refunded_at     timestamptz,
    PRIMARY KEY (service_id, order_id, return_id)
);

CREATE INDEX retail_return_listing_by_authorized ON retail_return_listing (service_id, authorized_at);

ALTER TABLE retail_exception_record
    ADD COLUMN grain_id        text,
    ADD COLUMN listing_version integer NOT NULL DEFAULT 1,
    ADD COLUMN manual_touches  integer NOT NULL DEFAULT 0;

CREATE INDEX retail_exception_record_by_grain ON retail_exception_record (service_id, grain_id);

INSERT INTO retail_order_listing
SELECT service_id, state ->> 'orderId', grain_id, 1,
       COALESCE(state ->> 'channel', ''), COALESCE(state ->> 'channelOrderId', ''), state ->> 'status',
       (state ->> 'receivedAt')::timestamptz, COALESCE((state ->> 'updatedAt')::timestamptz, (state ->> 'receivedAt')::timestamptz),
       (state ->> 'releasedAt')::timestamptz, (state ->> 'postingAcceptedAt')::timestamptz, (state ->> 'shippedAt')::timestamptz,
       COALESCE((state ->> 'refundPendingAmount')::numeric, 0), state ->> 'holdReason', COALESCE((state ->> 'grandTotal')::numeric, 0)
FROM retail_grain_state
WHERE state_name = 'order' AND state IS NOT NULL AND COALESCE(state ->> 'orderId', '') <> '' AND state ->> 'receivedAt' IS NOT NULL
ON CONFLICT DO NOTHING;

-- Before this version a return did not name its refund: the refund requested for it is the one whose reason names it.
INSERT INTO retail_return_listing
SELECT s.service_id, s.state ->> 'orderId', r ->> 'returnId', s.grain_id, 1,
       (r ->> 'authorizedAt')::timestamptz, (r ->> 'receivedAt')::timestamptz,
       (SELECT (f ->> 'confirmedAt')::timestamptz FROM jsonb_array_elements(COALESCE(s.state -> 'refunds', '[]')) f
        WHERE f ->> 'reason' = 'Return ' || (r ->> 'returnId') || '.' LIMIT 1)
FROM retail_grain_state s, jsonb_array_elements(COALESCE(s.state -> 'returns', '[]')) r
WHERE s.state_name = 'order' AND s.state IS NOT NULL AND COALESCE(s.state ->> 'orderId', '') <> ''
ON CONFLICT DO NOTHING;

-- The records in the exception grains' state are the truth: they replace what the listing held, and name their grain.
INSERT INTO retail_exception_record
    (service_id, id, kind, business_key, reason, attempts, created_at, updated_at, status, resolution, correlation_id, root, grain_id)
SELECT s.service_id, e ->> 'id', e ->> 'kind', e ->> 'businessKey', COALESCE(e ->> 'reason', ''), COALESCE((e ->> 'attempts')::integer, 1),
       (e ->> 'createdAt')::timestamptz, (e ->> 'updatedAt')::timestamptz, e ->> 'status', e ->> 'resolution', e ->> 'correlationId',
       COALESCE(e ->> 'root', ''), s.grain_id
FROM retail_grain_state s, jsonb_array_elements(COALESCE(s.state -> 'records', '[]')) e
WHERE s.state_name = 'exceptions' AND s.state IS NOT NULL
ON CONFLICT (service_id, id) DO UPDATE SET
    reason = EXCLUDED.reason, attempts = EXCLUDED.attempts, updated_at = EXCLUDED.updated_at, status = EXCLUDED.status,
    resolution = EXCLUDED.resolution, grain_id = EXCLUDED.grain_id;

DROP INDEX retail_orders_by_received;
DROP INDEX retail_orders_by_status;
DROP INDEX retail_orders_by_channel;
DROP FUNCTION retail_timestamp(text);
