-- +goose Up
-- source_key is the platform delivery that wrote an entry (a Slack trigger_id, a
-- Discord interaction id). The intake marks an inbox row done only after the
-- work has committed, so a crash in between handles the row again; the unique
-- index makes that second /time a no-op instead of a second entry on the bill.
ALTER TABLE time_entries ADD COLUMN source_key text;
CREATE UNIQUE INDEX time_entries_source_key ON time_entries (workspace_id, source_key)
    WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX time_entries_source_key;
ALTER TABLE time_entries DROP COLUMN source_key;
