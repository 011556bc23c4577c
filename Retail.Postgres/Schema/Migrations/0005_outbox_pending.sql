-- The outbox relay's index: a state row written with undelivered effects (events, ERP messages, exception raises,
-- notices to other grains) is flagged in the same write; the relay clears the flag once the effects of exactly that
-- version are delivered. Only flagged rows are in the partial index, so the relay's scan and marks stay small.
ALTER TABLE retail_grain_state ADD COLUMN outbox_pending boolean NOT NULL DEFAULT false;
CREATE INDEX retail_grain_state_outbox_pending ON retail_grain_state (service_id, grain_id) WHERE outbox_pending;
