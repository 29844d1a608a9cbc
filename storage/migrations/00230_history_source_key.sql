-- +goose Up
-- A milestone's progress change and a weekly update's edit remember the
-- delivery that made them (bot.Event.SourceID). applied_deliveries, written
-- in the same transaction, is what keeps the same delivery handled again from
-- writing a second row; this lets it answer what it answered the first time
-- ("0% → 50%", "edit 2") from the row it wrote.
ALTER TABLE milestone_progress ADD COLUMN source_key text;
CREATE UNIQUE INDEX milestone_progress_source ON milestone_progress (milestone_id, source_key) WHERE source_key IS NOT NULL;
ALTER TABLE weekly_update_edits ADD COLUMN source_key text;
CREATE UNIQUE INDEX weekly_update_edits_source ON weekly_update_edits (update_id, source_key) WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX weekly_update_edits_source;
ALTER TABLE weekly_update_edits DROP COLUMN source_key;
DROP INDEX milestone_progress_source;
ALTER TABLE milestone_progress DROP COLUMN source_key;
