-- +goose Up
-- When a person works, who their manager is, and their nudge/digest state. A
-- person without a row works 08:00-17:00 Monday to Friday in their platform
-- timezone (else MSPBOT_TZ).
CREATE TABLE schedules (
    person_id     bigint      PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    work_start    integer     NOT NULL DEFAULT 480 CHECK (work_start BETWEEN 0 AND 1440),  -- minutes after midnight
    work_end      integer     NOT NULL DEFAULT 1020 CHECK (work_end BETWEEN 0 AND 1440),
    work_days     smallint    NOT NULL DEFAULT 62,   -- bit per weekday, Sunday = bit 0; 62 = mon-fri
    timezone      text        NOT NULL DEFAULT '',   -- overrides the platform profile's when set
    away_from     date,
    away_until    date,
    off_date      date,                              -- "I'm off today"
    snoozed_at    timestamptz,
    snoozed_until timestamptz,
    manager_id    bigint      REFERENCES people (id) ON DELETE SET NULL,
    digest_at     integer     NOT NULL DEFAULT 480,  -- managers: local time of the daily digest
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (work_end > work_start)
);
CREATE INDEX schedules_manager ON schedules (manager_id) WHERE manager_id IS NOT NULL;
-- The sweep visits staff only; people is small, but say so.
CREATE INDEX IF NOT EXISTS people_staff ON people (workspace_id, id) WHERE role IN ('tech', 'coordinator', 'manager');

-- Every nudge sent and how it was answered. kind 'gap' is a time-entry nudge,
-- 'timer' asks whether a long timer still runs. At most one per person, kind and
-- gap start, whatever instances sweep at once.
CREATE TABLE nudges (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    person_id    bigint      NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('gap', 'timer')),
    gap_start    timestamptz NOT NULL,
    local_date   date        NOT NULL,
    sent_at      timestamptz NOT NULL,
    answered_at  timestamptz,
    answer       text        NOT NULL DEFAULT '',
    UNIQUE (person_id, kind, gap_start)
);
CREATE INDEX nudges_person_sent ON nudges (person_id, sent_at DESC);
CREATE INDEX nudges_workspace_date ON nudges (workspace_id, local_date);

-- A persisting gap escalates to the manager once per tech per day.
CREATE TABLE nudge_escalations (
    person_id  bigint      NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    local_date date        NOT NULL,
    manager_id bigint      REFERENCES people (id) ON DELETE SET NULL,
    unanswered integer     NOT NULL,
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (person_id, local_date)
);

-- +goose Down
DROP TABLE nudge_escalations;
DROP TABLE nudges;
DROP INDEX IF EXISTS people_staff;
DROP TABLE schedules;
