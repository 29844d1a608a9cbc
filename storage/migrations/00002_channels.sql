-- +goose Up
-- Per-channel settings: intake channels turn every top-level message into a
-- request; a channel linked to a client makes its outside members that client's
-- users and files requests opened there under that client.
CREATE TABLE channels (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id   text        NOT NULL,
    intake       boolean     NOT NULL DEFAULT false,
    client_id    bigint      REFERENCES clients (id),
    updated_by   bigint      REFERENCES people (id),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, channel_id)
);

-- +goose Down
DROP TABLE channels;
