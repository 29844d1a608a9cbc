-- +goose Up
-- pg_trgm finds earlier overridden requests that resemble a new one. It is a
-- trusted extension, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- What coordinators taught the classifier: the latest override of each request.
-- A forgotten override stays for the record but no longer steers anything.
CREATE TABLE learned_overrides (
    id           bigserial PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    request_id   bigint      NOT NULL UNIQUE REFERENCES requests (id) ON DELETE CASCADE,
    text         text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('project', 'support')),
    type         text        NOT NULL,
    by_person    bigint      NOT NULL REFERENCES people (id),
    reason       text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    forgotten_at timestamptz,
    forgotten_by bigint      REFERENCES people (id)
);
CREATE INDEX learned_overrides_text ON learned_overrides USING gin (text gin_trgm_ops)
    WHERE forgotten_at IS NULL;

-- What a client's contract covers (support) and what is always a project.
CREATE TABLE contract_clauses (
    id         bigserial PRIMARY KEY,
    client_id  bigint      NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('covered', 'always_project')),
    text       text        NOT NULL CHECK (text <> ''),
    created_by bigint      REFERENCES people (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contract_clauses_unique ON contract_clauses (client_id, kind, lower(text));

-- +goose Down
DROP TABLE contract_clauses;
DROP TABLE learned_overrides;
