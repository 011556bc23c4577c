-- Grain state: one row per (service, state name, grain). A cleared state keeps its row with a null state
-- so that the version keeps rising and a stale etag can never match a re-created row.
CREATE TABLE retail_grain_state (
    service_id  text        NOT NULL,
    state_name  text        NOT NULL,
    grain_id    text        NOT NULL,
    grain_type  text        NOT NULL,
    state       jsonb,
    version     bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, grain_id)
);

-- Cluster membership: one version row per cluster, changed by compare-and-swap in the same transaction
-- as every insert or update of a silo row.
CREATE TABLE retail_membership_version (
    cluster_id  text        NOT NULL PRIMARY KEY,
    version     integer     NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE retail_membership (
    cluster_id    text        NOT NULL REFERENCES retail_membership_version (cluster_id) ON DELETE CASCADE,
    address       text        NOT NULL,
    port          integer     NOT NULL,
    generation    integer     NOT NULL,
    silo_name     text        NOT NULL,
    host_name     text        NOT NULL,
    status        integer     NOT NULL,
    proxy_port    integer     NOT NULL,
    role_name     text        NOT NULL,
    update_zone   integer     NOT NULL,
    fault_zone    integer     NOT NULL,
    suspect_times jsonb       NOT NULL,
    start_time    timestamptz NOT NULL,
    i_am_alive    timestamptz NOT NULL,
    etag          integer     NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Reminders: etags come from one sequence, so a removed and re-created reminder never reuses an etag.
CREATE SEQUENCE retail_reminder_etag;

CREATE TABLE retail_reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    bigint      NOT NULL,
    start_at      timestamptz NOT NULL,
    period        interval    NOT NULL,
    etag          bigint      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX retail_reminders_by_hash ON retail_reminders (service_id, grain_hash);
