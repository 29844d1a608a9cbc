-- +goose Up
-- Time entries. The projects work creates the same base table (IF NOT EXISTS) so
-- its code compiles on its own; whichever migration runs first makes it, and
-- the columns below are added either way.
CREATE TABLE IF NOT EXISTS time_entries (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    person_id    bigint      NOT NULL REFERENCES people (id),
    request_id   bigint      REFERENCES requests (id),
    project_id   bigint,
    minutes      integer     NOT NULL,
    note         text        NOT NULL DEFAULT '',
    entry_date   date        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE time_entries
    ADD COLUMN IF NOT EXISTS billable   boolean     NOT NULL DEFAULT true,
    ADD COLUMN IF NOT EXISTS started_at timestamptz,
    ADD COLUMN IF NOT EXISTS ended_at   timestamptz,
    ADD COLUMN IF NOT EXISTS source     text        NOT NULL DEFAULT 'typed',
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
-- "When did this tech last log time?" is one index probe, however long the history.
CREATE INDEX IF NOT EXISTS time_entries_person_created ON time_entries (person_id, created_at DESC);
-- Hours per tech per day (today, this week, yesterday's gaps in the digest).
CREATE INDEX IF NOT EXISTS time_entries_person_date ON time_entries (person_id, entry_date) INCLUDE (minutes);
CREATE INDEX IF NOT EXISTS time_entries_request ON time_entries (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS time_entries_project ON time_entries (project_id) WHERE project_id IS NOT NULL;

-- One running timer per person; a row exists only while it runs, so the sweep
-- reads active timers only.
CREATE TABLE timers (
    person_id    bigint      PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    request_id   bigint      REFERENCES requests (id),
    project_id   bigint,
    note         text        NOT NULL DEFAULT '',
    billable     boolean     NOT NULL DEFAULT true,
    started_at   timestamptz NOT NULL,
    confirmed_at timestamptz  -- the tech said it is still running
);

-- Per-workspace rules (the "team"): allowed gap, edit lock, timer limit, escalation.
CREATE TABLE time_settings (
    workspace_id        bigint      PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    gap_minutes         integer     NOT NULL DEFAULT 90 CHECK (gap_minutes BETWEEN 15 AND 480),
    lock_days           integer     NOT NULL DEFAULT 7 CHECK (lock_days BETWEEN 0 AND 366),
    timer_limit_minutes integer     NOT NULL DEFAULT 240 CHECK (timer_limit_minutes BETWEEN 30 AND 1440),
    escalate_after      integer     NOT NULL DEFAULT 3 CHECK (escalate_after BETWEEN 1 AND 20),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE time_settings;
DROP TABLE timers;
DROP INDEX IF EXISTS time_entries_project;
DROP INDEX IF EXISTS time_entries_request;
DROP INDEX IF EXISTS time_entries_person_date;
DROP INDEX IF EXISTS time_entries_person_created;
ALTER TABLE time_entries DROP COLUMN IF EXISTS billable, DROP COLUMN IF EXISTS started_at,
    DROP COLUMN IF EXISTS ended_at, DROP COLUMN IF EXISTS source, DROP COLUMN IF EXISTS updated_at;
