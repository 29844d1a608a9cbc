-- +goose Up
-- One daily digest per manager per local date, across restarts and instances.
CREATE TABLE digests (
    manager_id   bigint      NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    local_date   date        NOT NULL,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    body         text        NOT NULL DEFAULT '',
    PRIMARY KEY (manager_id, local_date)
);
-- Open requests by kind for the digest: an index-only scan of the open set.
CREATE INDEX IF NOT EXISTS requests_open_kind ON requests (workspace_id, kind, created_at) WHERE status = 'open';

-- +goose Down
DROP INDEX IF EXISTS requests_open_kind;
DROP TABLE digests;
