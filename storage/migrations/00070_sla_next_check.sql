-- +goose Up
-- The SLA sweep reads only requests whose clocks may reach a level by now.
-- sla_next_check_at is the earliest moment a warning or breach can next be due:
-- '-infinity' means "not judged yet, check at once" (new rows, and any change
-- that could make a clock fire sooner); 'infinity' means both clocks are done
-- (stopped or breached). The sweep sets it after each look; SLA time never runs
-- faster than the wall clock, so now + (next threshold - elapsed) is safe.
ALTER TABLE requests ADD COLUMN IF NOT EXISTS sla_next_check_at timestamptz NOT NULL DEFAULT '-infinity';
CREATE INDEX IF NOT EXISTS requests_sla_due ON requests (sla_next_check_at)
    WHERE status = 'open' AND client_id IS NOT NULL AND sla_next_check_at < 'infinity';

-- Whatever code path changes what a clock measures against (priority, client,
-- status, start) makes the request due again, so no stored bound outlives it.
-- +goose StatementBegin
CREATE FUNCTION requests_sla_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sla_next_check_at := '-infinity';
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER requests_sla_recheck BEFORE UPDATE OF priority, client_id, status, created_at ON requests
    FOR EACH ROW WHEN (OLD.priority IS DISTINCT FROM NEW.priority OR OLD.client_id IS DISTINCT FROM NEW.client_id
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION requests_sla_recheck();

-- A client's new targets or calendar make its open requests due again.
-- +goose StatementBegin
CREATE FUNCTION client_sla_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET sla_next_check_at = '-infinity'
    WHERE client_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.client_id ELSE NEW.client_id END)
      AND status = 'open' AND sla_next_check_at <> '-infinity';
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER sla_targets_recheck AFTER INSERT OR UPDATE OR DELETE ON sla_targets
    FOR EACH ROW EXECUTE FUNCTION client_sla_recheck();
CREATE TRIGGER sla_calendars_recheck AFTER INSERT OR UPDATE OR DELETE ON sla_calendars
    FOR EACH ROW EXECUTE FUNCTION client_sla_recheck();

-- The digest lists lessons captured since yesterday.
CREATE INDEX IF NOT EXISTS lessons_created ON lessons (created_at);

-- +goose Down
DROP INDEX IF EXISTS lessons_created;
DROP TRIGGER IF EXISTS sla_calendars_recheck ON sla_calendars;
DROP TRIGGER IF EXISTS sla_targets_recheck ON sla_targets;
DROP FUNCTION IF EXISTS client_sla_recheck();
DROP TRIGGER IF EXISTS requests_sla_recheck ON requests;
DROP FUNCTION IF EXISTS requests_sla_recheck();
DROP INDEX IF EXISTS requests_sla_due;
ALTER TABLE requests DROP COLUMN IF EXISTS sla_next_check_at;
