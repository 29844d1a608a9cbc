-- +goose Up
-- Projects: a client's piece of project work with a coordinator, dates, a budget
-- in minutes (hours are shown), a client channel the approved weekly updates go
-- to, and when those updates are drafted (weekday 0 = Sunday, local time in the
-- coordinator's timezone). Numbers (P1, P2, …) count per workspace.
CREATE TABLE projects (
    id             bigserial PRIMARY KEY,
    workspace_id   bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number         integer     NOT NULL CHECK (number > 0),
    client_id      bigint      NOT NULL REFERENCES clients (id),
    name           text        NOT NULL CHECK (name <> ''),
    description    text        NOT NULL DEFAULT '',
    coordinator_id bigint      NOT NULL REFERENCES people (id),
    start_date     date        NOT NULL,
    end_date       date        NOT NULL,
    budget_minutes integer     NOT NULL DEFAULT 0 CHECK (budget_minutes >= 0),
    channel        text        NOT NULL DEFAULT '',
    update_weekday smallint    NOT NULL DEFAULT 5 CHECK (update_weekday BETWEEN 0 AND 6),
    update_time    time        NOT NULL DEFAULT '15:00',
    status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closing', 'closed')),
    support_lead_id bigint     REFERENCES people (id),
    request_id     bigint      REFERENCES requests (id),
    created_by     bigint      NOT NULL REFERENCES people (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    closing_at     timestamptz,
    closed_at      timestamptz,
    search         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', description), 'B')) STORED,
    UNIQUE (workspace_id, number),
    CHECK (end_date >= start_date)
);
-- A request becomes at most one project.
CREATE UNIQUE INDEX projects_request ON projects (request_id) WHERE request_id IS NOT NULL;
-- The weekly sweep reads only projects still running.
CREATE INDEX projects_active ON projects (id) WHERE status <> 'closed';
CREATE INDEX projects_search ON projects USING gin (search);

-- Milestones (or tasks) with a due date and how far along they are.
CREATE TABLE milestones (
    id         bigserial PRIMARY KEY,
    project_id bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (name <> ''),
    due_date   date        NOT NULL,
    percent    smallint    NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    done_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((percent = 100) = (done_at IS NOT NULL))
);
CREATE UNIQUE INDEX milestones_project_name ON milestones (project_id, lower(name));

-- Every progress change, so a weekly update can say what moved that week.
CREATE TABLE milestone_progress (
    id           bigserial PRIMARY KEY,
    milestone_id bigint      NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
    from_percent smallint    NOT NULL,
    to_percent   smallint    NOT NULL,
    by_id        bigint      NOT NULL REFERENCES people (id),
    at           timestamptz NOT NULL
);
CREATE INDEX milestone_progress_at ON milestone_progress (milestone_id, at);

-- Planned disruptions: a date, a local time window (ends before starts: the
-- window runs past midnight) and what the client will notice.
CREATE TABLE disruptions (
    id         bigserial PRIMARY KEY,
    project_id bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    day        date        NOT NULL,
    starts     time        NOT NULL,
    ends       time        NOT NULL,
    impact     text        NOT NULL CHECK (impact <> ''),
    created_by bigint      NOT NULL REFERENCES people (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disruptions_project_day ON disruptions (project_id, day);

-- Out-of-scope work: approved (by whom) and invoiced separately. Numbered per project.
CREATE TABLE oos_items (
    id          bigserial PRIMARY KEY,
    project_id  bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    number      integer     NOT NULL,
    minutes     integer     NOT NULL CHECK (minutes > 0),
    description text        NOT NULL CHECK (description <> ''),
    approved_by text        NOT NULL DEFAULT '',
    created_by  bigint      NOT NULL REFERENCES people (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    invoiced_at timestamptz,
    invoiced_by bigint      REFERENCES people (id),
    UNIQUE (project_id, number)
);

-- The weekly client update: exactly one per project and ISO week. The UNIQUE key
-- is the last guard behind the unique job that drafts it.
CREATE TABLE weekly_updates (
    id               bigserial PRIMARY KEY,
    project_id       bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iso_year         integer     NOT NULL,
    iso_week         integer     NOT NULL CHECK (iso_week BETWEEN 1 AND 53),
    draft            text        NOT NULL,
    body             text        NOT NULL,
    chart            bytea,
    status           text        NOT NULL DEFAULT 'drafted'
                     CHECK (status IN ('drafted', 'approved', 'skipped', 'posted')),
    drafted_at       timestamptz NOT NULL,
    deadline         timestamptz NOT NULL,
    dm_sent_at       timestamptz,
    edit_count       integer     NOT NULL DEFAULT 0,
    approved_by      bigint      REFERENCES people (id),
    approved_at      timestamptz,
    skipped_by       bigint      REFERENCES people (id),
    skipped_at       timestamptz,
    skip_reason      text        NOT NULL DEFAULT '',
    post_claimed_at  timestamptz,
    posted_at        timestamptz,
    post_message_id  text        NOT NULL DEFAULT '',
    reminder_sent_at timestamptz,
    UNIQUE (project_id, iso_year, iso_week)
);
-- The sweep looks for drafts past their deadline and approvals not yet posted.
CREATE INDEX weekly_updates_pending ON weekly_updates (deadline) WHERE status IN ('drafted', 'approved');

CREATE TABLE weekly_update_edits (
    id         bigserial PRIMARY KEY,
    update_id  bigint      NOT NULL REFERENCES weekly_updates (id) ON DELETE CASCADE,
    by_id      bigint      NOT NULL REFERENCES people (id),
    at         timestamptz NOT NULL,
    before     text        NOT NULL,
    after      text        NOT NULL
);

-- The closeout checklist: one row per item once closeout starts; an item is
-- finished when done or waived with a reason.
CREATE TABLE closeout_items (
    project_id    bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item          text        NOT NULL CHECK (item IN ('docs', 'signoff', 'acceptance', 'time', 'oos')),
    done_by       bigint      REFERENCES people (id),
    done_at       timestamptz,
    note          text        NOT NULL DEFAULT '',
    waived_by     bigint      REFERENCES people (id),
    waived_at     timestamptz,
    waived_reason text        NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, item),
    CHECK (waived_by IS NULL OR waived_reason <> '')
);

CREATE TABLE project_ratings (
    project_id bigint      PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    rating     smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    reason     text        NOT NULL CHECK (reason <> ''),
    rated_by   bigint      NOT NULL REFERENCES people (id),
    rated_at   timestamptz NOT NULL
);

-- Lessons learned, searchable by full text.
CREATE TABLE lessons (
    id             bigserial PRIMARY KEY,
    project_id     bigint      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    author_id      bigint      NOT NULL REFERENCES people (id),
    went_well      text        NOT NULL,
    do_differently text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    search         tsvector GENERATED ALWAYS AS (
        to_tsvector('english', went_well || ' ' || do_differently)) STORED,
    CHECK (went_well <> '' OR do_differently <> '')
);
CREATE INDEX lessons_search ON lessons USING gin (search);
CREATE INDEX lessons_project ON lessons (project_id);

-- Time entries belong to the time-tracking feature, which owns this table and
-- extends it; projects only read the minutes logged against them. IF NOT EXISTS
-- so either feature's migration can create it first.
CREATE TABLE IF NOT EXISTS time_entries (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    person_id    bigint      NOT NULL REFERENCES people (id),
    request_id   bigint      REFERENCES requests (id),
    project_id   bigint      REFERENCES projects (id),
    minutes      integer     NOT NULL,
    note         text        NOT NULL DEFAULT '',
    entry_date   date        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS time_entries_project ON time_entries (project_id, entry_date) WHERE project_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS time_entries_request ON time_entries (request_id) WHERE request_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS time_entries_request;
DROP INDEX IF EXISTS time_entries_project;
DROP TABLE lessons;
DROP TABLE project_ratings;
DROP TABLE closeout_items;
DROP TABLE weekly_update_edits;
DROP TABLE weekly_updates;
DROP TABLE oos_items;
DROP TABLE disruptions;
DROP TABLE milestone_progress;
DROP TABLE milestones;
DROP TABLE projects CASCADE;
