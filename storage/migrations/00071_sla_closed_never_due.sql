-- +goose Up
-- A closed request's clocks are done: it is never due again (the sweep only
-- judges open requests). Before this, closing set '-infinity' like any other
-- change, so nearly every row of a large table said "check at once" and the
-- planner, believing the statistics, read the whole table each minute instead
-- of the requests_sla_due index.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requests_sla_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'open' THEN
        NEW.sla_next_check_at := '-infinity';
    ELSE
        NEW.sla_next_check_at := 'infinity';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
UPDATE requests SET sla_next_check_at = 'infinity' WHERE status <> 'open' AND sla_next_check_at <> 'infinity';
ALTER TABLE requests ALTER COLUMN sla_next_check_at SET DEFAULT '-infinity';

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION requests_sla_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sla_next_check_at := '-infinity';
    RETURN NEW;
END $$;
-- +goose StatementEnd
