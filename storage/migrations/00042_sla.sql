-- +goose Up
-- Client contracts: response and resolution targets per priority.
CREATE TABLE sla_targets (
    client_id          bigint      NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    priority           text        NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    response_minutes   integer     NOT NULL CHECK (response_minutes > 0),
    resolution_minutes integer     NOT NULL CHECK (resolution_minutes > 0),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, priority)
);
-- When a client's clocks run; no row means business hours 08:00-18:00 mon-fri in MSPBOT_TZ.
CREATE TABLE sla_calendars (
    client_id  bigint      PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    always     boolean     NOT NULL DEFAULT false,
    day_start  integer     NOT NULL DEFAULT 480,
    day_end    integer     NOT NULL DEFAULT 1080,
    days       smallint    NOT NULL DEFAULT 62,
    timezone   text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The first staff reply stops the response clock; waiting_since marks a request
-- paused "waiting on client".
ALTER TABLE requests
    ADD COLUMN IF NOT EXISTS first_response_at timestamptz,
    ADD COLUMN IF NOT EXISTS waiting_since     timestamptz;
CREATE TABLE request_pauses (
    id         bigserial   PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    by_id      bigint      REFERENCES people (id)
);
CREATE UNIQUE INDEX request_pauses_open ON request_pauses (request_id) WHERE ended_at IS NULL;
CREATE INDEX request_pauses_request ON request_pauses (request_id, started_at);

-- Warnings (75 %) and breaches, once per request, clock and level.
CREATE TABLE sla_events (
    id              bigserial   PRIMARY KEY,
    workspace_id    bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    request_id      bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    client_id       bigint      NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    clock           text        NOT NULL CHECK (clock IN ('response', 'resolution')),
    level           text        NOT NULL CHECK (level IN ('warning', 'breach')),
    target_minutes  integer     NOT NULL,
    elapsed_minutes integer     NOT NULL,
    at              timestamptz NOT NULL,
    UNIQUE (request_id, clock, level)
);
CREATE INDEX sla_events_client_breach ON sla_events (client_id, at) WHERE level = 'breach';
CREATE INDEX sla_events_workspace_at ON sla_events (workspace_id, at);

-- The digest counts requests opened since yesterday: a range over created_at.
CREATE INDEX IF NOT EXISTS requests_created ON requests (workspace_id, created_at);
-- The SLA sweep visits open requests of clients with a contract only.
CREATE INDEX IF NOT EXISTS requests_open_client ON requests (client_id, priority) WHERE status = 'open' AND client_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS requests_open_client;
DROP INDEX IF EXISTS requests_created;
DROP TABLE sla_events;
DROP TABLE request_pauses;
ALTER TABLE requests DROP COLUMN IF EXISTS first_response_at, DROP COLUMN IF EXISTS waiting_since;
DROP TABLE sla_calendars;
DROP TABLE sla_targets;
