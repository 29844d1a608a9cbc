-- +goose Up
-- Replies in a request's thread are comments on the request, not new requests.
-- A replayed delivery of the same platform message never adds a second comment.
CREATE TABLE request_comments (
    id         bigserial PRIMARY KEY,
    request_id bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    platform   text        NOT NULL,
    author_id  bigint      NOT NULL REFERENCES people (id),
    body       text        NOT NULL,
    source_id  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, source_id)
);
CREATE INDEX request_comments_request ON request_comments (request_id, created_at);
-- Messages in a thread find their request by the thread's id.
CREATE INDEX requests_thread ON requests (workspace_id, thread) WHERE thread <> '';

-- +goose Down
DROP INDEX requests_thread;
DROP TABLE request_comments;
