-- +goose Up
-- The time ledger keeps its own rules, whoever writes to it: no entry of zero or
-- more than a day, billable time always names what it bills, a project id names
-- a project, at most 24h per person per day, and nothing added, changed or
-- removed on a project that is closed or whose time was declared complete at
-- closeout. The constraints are NOT VALID so that rows written before these
-- rules are kept as they were; every new or changed row is checked.
ALTER TABLE time_entries
    ADD CONSTRAINT time_entries_minutes CHECK (minutes BETWEEN 1 AND 1440) NOT VALID,
    ADD CONSTRAINT time_entries_billable_target
        CHECK (NOT billable OR request_id IS NOT NULL OR project_id IS NOT NULL) NOT VALID,
    ADD CONSTRAINT time_entries_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) NOT VALID;
ALTER TABLE timers
    ADD CONSTRAINT timers_billable_target
        CHECK (NOT billable OR request_id IS NOT NULL OR project_id IS NOT NULL) NOT VALID,
    ADD CONSTRAINT timers_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE NOT VALID;

-- +goose StatementBegin
-- project_time_closed says why no time may change on a project, or NULL.
CREATE FUNCTION project_time_closed(pid bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p.status = 'closed' THEN format('P%s is closed; no time can be logged or changed on it', p.number)
        WHEN EXISTS (SELECT 1 FROM closeout_items c WHERE c.project_id = p.id AND c.item = 'time'
                     AND (c.done_at IS NOT NULL OR c.waived_at IS NOT NULL))
            THEN format('P%s''s time was marked complete at closeout; no time can be logged or changed on it', p.number)
        END
    FROM projects p WHERE p.id = pid
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION time_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    why   text;
    total integer;
BEGIN
    -- A cascade (a workspace removed) is not an edit of the ledger.
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

CREATE TRIGGER time_entries_guard BEFORE INSERT OR UPDATE OR DELETE ON time_entries
    FOR EACH ROW EXECUTE FUNCTION time_entry_guard();

-- +goose StatementBegin
CREATE FUNCTION timer_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER timers_guard BEFORE INSERT OR UPDATE ON timers
    FOR EACH ROW EXECUTE FUNCTION timer_guard();

-- +goose Down
DROP TRIGGER timers_guard ON timers;
DROP FUNCTION timer_guard();
DROP TRIGGER time_entries_guard ON time_entries;
DROP FUNCTION time_entry_guard();
DROP FUNCTION project_time_closed(bigint);
ALTER TABLE timers DROP CONSTRAINT timers_project_fk, DROP CONSTRAINT timers_billable_target;
ALTER TABLE time_entries DROP CONSTRAINT time_entries_project_fk, DROP CONSTRAINT time_entries_billable_target,
    DROP CONSTRAINT time_entries_minutes;
