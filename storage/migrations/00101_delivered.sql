-- +goose Up
-- A post the outbox made, by delivery key. The deliver job records it the
-- moment the platform accepted the post and checks it before posting, so a
-- job run again (rescued after a crash, retried after its completion was
-- lost) does not post a second time.
CREATE TABLE delivered (
    key          text        PRIMARY KEY,
    message_id   text        NOT NULL DEFAULT '',
    delivered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivered_at ON delivered (delivered_at);

-- +goose Down
DROP TABLE delivered;
