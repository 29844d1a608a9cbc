-- +goose Up
-- Every platform delivery (a Slack event_id, ...) is claimed here before it is
-- handled, so a retried or duplicated delivery is recognised and dropped.
CREATE TABLE platform_events (
    platform    text        NOT NULL,
    workspace   text        NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, workspace, event_id)
);
CREATE INDEX platform_events_received ON platform_events (received_at);

-- Replies in a request's thread are comments on it.
CREATE TABLE request_comments (
    id              bigserial PRIMARY KEY,
    request_id      bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author_id       bigint      NOT NULL REFERENCES people (id),
    body            text        NOT NULL,
    source_platform text        NOT NULL,
    source_id       text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX request_comments_source ON request_comments (request_id, source_platform, source_id)
    WHERE source_id IS NOT NULL;
CREATE INDEX request_comments_request ON request_comments (request_id, created_at, id);

-- A reply names its thread; this finds the request that thread belongs to.
CREATE INDEX requests_thread ON requests (workspace_id, channel, thread) WHERE thread <> '';

-- +goose Down
DROP INDEX requests_thread;
DROP TABLE request_comments;
DROP TABLE platform_events;
