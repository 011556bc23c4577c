-- The rows of a state's keyed collection (IStateRows), beside the state row: a write upserts or deletes only the
-- entries that changed, in the statement that writes the state, so a state holding thousands of entries no longer
-- rewrites them all. The key is the only index: the rows are read and cleared by their state, never searched.
CREATE TABLE retail_grain_row (
    service_id text  NOT NULL,
    state_name text  NOT NULL,
    grain_id   text  NOT NULL,
    row_key    text  NOT NULL,
    value      jsonb NOT NULL,
    PRIMARY KEY (service_id, state_name, grain_id, row_key)
);
