-- +goose Up
-- applied_deliveries remembers which platform deliveries (bot.Event.SourceID)
-- already made a change that leaves no row of its own to find it by (a timer
-- started and since stopped). The row is written in the same transaction as
-- the change, so a delivery handled again after a crash between that commit and
-- its inbox row's done-mark changes nothing the second time.
CREATE TABLE applied_deliveries (
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    source_key   text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, source_key)
);

-- +goose Down
DROP TABLE applied_deliveries;
