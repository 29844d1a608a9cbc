-- +goose Up
-- Every platform delivery (a Slack slash command, event or interaction, a
-- Discord interaction or gateway message) is kept here, verified and raw,
-- before it is acknowledged. A worker turns each row into its work and marks
-- it done in the transaction that holds the row's lock, so a crash at any
-- point leaves the row pending and it is handled again; the unique key makes a
-- platform's retry of a stored delivery a no-op instead of a second row.
CREATE TABLE inbox (
    id          bigserial   PRIMARY KEY,
    platform    text        NOT NULL,
    kind        text        NOT NULL,
    dedupe_key  text        NOT NULL,
    payload     bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    attempts    int         NOT NULL DEFAULT 0,
    not_before  timestamptz NOT NULL DEFAULT '-infinity',
    last_error  text        NOT NULL DEFAULT '',
    done_at     timestamptz,
    UNIQUE (platform, dedupe_key)
);
-- The drain reads pending rows oldest first; done rows are never scanned for it.
CREATE INDEX inbox_pending ON inbox (id) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP TABLE inbox;
