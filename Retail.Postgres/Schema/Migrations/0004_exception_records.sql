-- The exception listing: one row per exception record, written by its exception grain after the grain's own state
-- write. Its columns are the project's, not a grain's private state.
CREATE TABLE IF NOT EXISTS retail_exception_record (
    service_id      text        NOT NULL,
    id              text        NOT NULL,
    kind            text        NOT NULL,
    business_key    text        NOT NULL,
    reason          text        NOT NULL,
    attempts        integer     NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    status          text        NOT NULL,
    resolution      text,
    correlation_id  text,
    root            text        NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, id)
);

CREATE INDEX IF NOT EXISTS retail_exception_record_listing
    ON retail_exception_record (service_id, status, created_at, id);

CREATE INDEX IF NOT EXISTS retail_exception_record_cause
    ON retail_exception_record (service_id, status, kind, root, created_at, id);
