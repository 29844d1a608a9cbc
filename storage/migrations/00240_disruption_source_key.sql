-- +goose Up
-- A planned disruption remembers the delivery that planned it
-- (bot.Event.SourceID). applied_deliveries keeps the same delivery handled
-- again from adding a second one; this lets it answer with the day and window
-- it planned the first time, even when "fri" or "tomorrow" means another day
-- by the time it is handled again.
ALTER TABLE disruptions ADD COLUMN source_key text;
CREATE UNIQUE INDEX disruptions_source ON disruptions (project_id, source_key) WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX disruptions_source;
ALTER TABLE disruptions DROP COLUMN source_key;
