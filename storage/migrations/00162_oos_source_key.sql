-- +goose Up
-- source_key is the platform delivery that recorded an out-of-scope item. An
-- item is billed separately, so a /project oos handled again after a crash
-- (its item committed, its inbox row not yet marked done) must not add it twice.
ALTER TABLE oos_items ADD COLUMN source_key text;
CREATE UNIQUE INDEX oos_items_source_key ON oos_items (project_id, source_key) WHERE source_key IS NOT NULL;

-- +goose Down
DROP INDEX oos_items_source_key;
ALTER TABLE oos_items DROP COLUMN source_key;
