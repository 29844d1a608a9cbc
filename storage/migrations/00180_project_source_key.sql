-- +goose Up
-- A project remembers the delivery that opened it (bot.Event.SourceID), so
-- /project new or /project open handled again after a crash — between the
-- project's commit and its inbox row's done-mark — finds it instead of
-- opening a second one.
ALTER TABLE projects ADD COLUMN source_key text;
CREATE UNIQUE INDEX projects_source ON projects (workspace_id, source_key) WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX projects_source;
ALTER TABLE projects DROP COLUMN source_key;
