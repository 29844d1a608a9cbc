-- +goose Up
-- A workspace is one Slack team, one Discord guild, or the console. Request
-- numbers count up per workspace from next_request_number.
CREATE TABLE workspaces (
    id                  bigserial PRIMARY KEY,
    platform            text        NOT NULL,
    external_id         text        NOT NULL,
    name                text        NOT NULL DEFAULT '',
    next_request_number bigint      NOT NULL DEFAULT 1001,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, external_id)
);

CREATE TABLE clients (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    code         text        NOT NULL CHECK (code <> ''),
    name         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX clients_workspace_code ON clients (workspace_id, lower(code));

CREATE TABLE people (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id  text        NOT NULL,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('client', 'tech', 'coordinator', 'manager')),
    client_id    bigint      REFERENCES clients (id),
    timezone     text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, external_id),
    CHECK ((role = 'client') = (client_id IS NOT NULL))
);
CREATE INDEX people_workspace_name ON people (workspace_id, lower(name));

CREATE TABLE requests (
    id              bigserial PRIMARY KEY,
    workspace_id    bigint        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number          bigint        NOT NULL,
    title           text          NOT NULL,
    body            text          NOT NULL,
    kind            text          NOT NULL CHECK (kind IN ('project', 'support')),
    type            text          NOT NULL,
    confidence      numeric(3, 2) NOT NULL,
    reasons         jsonb         NOT NULL DEFAULT '[]',
    status          text          NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    priority        text          NOT NULL DEFAULT 'P3',
    client_id       bigint        REFERENCES clients (id),
    opened_by       bigint        NOT NULL REFERENCES people (id),
    assignee_id     bigint        REFERENCES people (id),
    channel         text          NOT NULL DEFAULT '',
    thread          text          NOT NULL DEFAULT '',
    source_platform text          NOT NULL,
    source_id       text,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    UNIQUE (workspace_id, number)
);
-- A retried delivery of the same platform message must never open a second request.
CREATE UNIQUE INDEX requests_source ON requests (workspace_id, source_platform, source_id)
    WHERE source_id IS NOT NULL;
-- Lists show open requests newest first; closed history is never scanned for them.
CREATE INDEX requests_open ON requests (workspace_id, created_at DESC) WHERE status = 'open';

CREATE TABLE classification_events (
    id         bigserial PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    actor_id   bigint      REFERENCES people (id),
    from_kind  text        NOT NULL DEFAULT '',
    from_type  text        NOT NULL DEFAULT '',
    to_kind    text        NOT NULL,
    to_type    text        NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classification_events_request ON classification_events (request_id, created_at);

-- +goose Down
DROP TABLE classification_events;
DROP TABLE requests;
DROP TABLE people;
DROP TABLE clients;
DROP TABLE workspaces;
