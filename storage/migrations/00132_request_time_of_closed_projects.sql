-- +goose Up
-- A project counts the time logged on the request it was opened from, so that
-- time closes with the project too: entry_time_closed says why an entry on a
-- project, or on a project's request, may not change (NULL when it may).
-- +goose StatementBegin
CREATE FUNCTION entry_time_closed(pid bigint, rid bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        CASE WHEN pid IS NOT NULL THEN project_time_closed(pid) END,
        CASE WHEN rid IS NOT NULL THEN (SELECT project_time_closed(p.id) FROM projects p WHERE p.request_id = rid) END)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION time_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    why   text;
    total integer;
BEGIN
    -- A cascade (a workspace removed) is not an edit of the ledger.
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        why := entry_time_closed(OLD.project_id, OLD.request_id);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    why := entry_time_closed(NEW.project_id, NEW.request_id);
    IF why IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.minutes <= OLD.minutes AND NEW.entry_date = OLD.entry_date
            AND NEW.person_id = OLD.person_id THEN
        RETURN NEW;
    END IF;
    -- One writer per person at a time, so two entries committed together
    -- cannot both fit under the limit and overflow it jointly.
    PERFORM 1 FROM people WHERE id = NEW.person_id FOR NO KEY UPDATE;
    SELECT coalesce(sum(minutes), 0) + NEW.minutes INTO total FROM time_entries
        WHERE person_id = NEW.person_id AND entry_date = NEW.entry_date AND id <> NEW.id;
    IF total > 1440 THEN
        RAISE EXCEPTION USING ERRCODE = 'MS002', MESSAGE = format(
            'that would make %sh%s logged on %s; a day holds at most 24h',
            total / 60, lpad((total % 60)::text, 2, '0'), to_char(NEW.entry_date, 'Dy DD Mon'));
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION timer_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    why text;
BEGIN
    why := entry_time_closed(NEW.project_id, NEW.request_id);
    IF why IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION timer_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    why text;
BEGIN
    IF NEW.project_id IS NOT NULL THEN
        why := project_time_closed(NEW.project_id);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION time_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    why   text;
    total integer;
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.project_id IS NOT NULL THEN
        why := project_time_closed(OLD.project_id);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.project_id IS NOT NULL THEN
        why := project_time_closed(NEW.project_id);
        IF why IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MS001', MESSAGE = why;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.minutes <= OLD.minutes AND NEW.entry_date = OLD.entry_date
            AND NEW.person_id = OLD.person_id THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM people WHERE id = NEW.person_id FOR NO KEY UPDATE;
    SELECT coalesce(sum(minutes), 0) + NEW.minutes INTO total FROM time_entries
        WHERE person_id = NEW.person_id AND entry_date = NEW.entry_date AND id <> NEW.id;
    IF total > 1440 THEN
        RAISE EXCEPTION USING ERRCODE = 'MS002', MESSAGE = format(
            'that would make %sh%s logged on %s; a day holds at most 24h',
            total / 60, lpad((total % 60)::text, 2, '0'), to_char(NEW.entry_date, 'Dy DD Mon'));
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
DROP FUNCTION entry_time_closed(bigint, bigint);
