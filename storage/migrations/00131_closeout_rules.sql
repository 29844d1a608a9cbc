-- +goose Up
-- Closeout rules the database keeps: a rating may be skipped (no number) only
-- with a reason; a closed project's rating is final; the support sign-off comes
-- from someone other than the project's coordinator. NOT VALID keeps rows
-- written before these rules; every new or changed row is checked.
ALTER TABLE project_ratings ALTER COLUMN rating DROP NOT NULL;
ALTER TABLE projects ADD CONSTRAINT projects_lead_not_coordinator
    CHECK (support_lead_id IS NULL OR support_lead_id <> coordinator_id) NOT VALID;

-- +goose StatementBegin
CREATE FUNCTION project_rating_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pnum integer;
BEGIN
    -- A cascade (a workspace removed) is not a change of rating.
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    SELECT number INTO pnum FROM projects
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.project_id ELSE NEW.project_id END AND status = 'closed';
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MS003', MESSAGE = format('P%s is closed; its rating is final', pnum);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER project_ratings_guard BEFORE INSERT OR UPDATE OR DELETE ON project_ratings
    FOR EACH ROW EXECUTE FUNCTION project_rating_guard();

-- +goose StatementBegin
CREATE FUNCTION signoff_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pnum integer;
BEGIN
    IF NEW.item = 'signoff' AND NEW.done_by IS NOT NULL THEN
        SELECT number INTO pnum FROM projects WHERE id = NEW.project_id AND coordinator_id = NEW.done_by;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'MS004', MESSAGE = format(
                'the support team signs off P%s, not its coordinator: name someone else as support lead', pnum);
        END IF;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER closeout_signoff_guard BEFORE INSERT OR UPDATE ON closeout_items
    FOR EACH ROW EXECUTE FUNCTION signoff_guard();

-- +goose Down
DROP TRIGGER closeout_signoff_guard ON closeout_items;
DROP FUNCTION signoff_guard();
DROP TRIGGER project_ratings_guard ON project_ratings;
DROP FUNCTION project_rating_guard();
ALTER TABLE projects DROP CONSTRAINT projects_lead_not_coordinator;
DELETE FROM project_ratings WHERE rating IS NULL;
ALTER TABLE project_ratings ALTER COLUMN rating SET NOT NULL;
