-- +goose Up
-- A request staff finished is first "resolved": the requester is told what was
-- done and can rate it, or say it is still broken (it reopens, back in the
-- queue). A resolved request closes on its own after bot.ResolvedClosesAfter.
-- Its SLA resolution clock stops when it was resolved, not when it closed.
-- Time may still be logged on it, as on a closed request: the ledger's rules
-- (00130-00132) look only at projects, so nothing changes there.
ALTER TABLE requests DROP CONSTRAINT requests_status_check;
ALTER TABLE requests ADD CONSTRAINT requests_status_check CHECK (status IN ('open', 'resolved', 'closed'));
ALTER TABLE requests ADD COLUMN resolved_at timestamptz;
ALTER TABLE requests ADD CONSTRAINT requests_resolved_at CHECK (status <> 'resolved' OR resolved_at IS NOT NULL);
-- The auto-close sweep reads resolved requests by age.
CREATE INDEX requests_resolved ON requests (resolved_at) WHERE status = 'resolved';

-- Every resolution, and whether the requester said it was still broken: the
-- history of a request that bounced, and the digest's counts.
CREATE TABLE request_resolutions (
    id            bigserial   PRIMARY KEY,
    request_id    bigint      NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    resolved_by   bigint      NOT NULL REFERENCES people (id),
    resolution    text        NOT NULL DEFAULT '',
    resolved_at   timestamptz NOT NULL,
    reopened_by   bigint      REFERENCES people (id),
    reopen_reason text        NOT NULL DEFAULT '',
    reopened_at   timestamptz
);
CREATE INDEX request_resolutions_request ON request_resolutions (request_id, resolved_at DESC);
CREATE INDEX request_resolutions_at ON request_resolutions (resolved_at);

-- +goose Down
DROP TABLE request_resolutions;
UPDATE requests SET status = 'closed', closed_at = coalesce(closed_at, resolved_at) WHERE status = 'resolved';
DROP INDEX requests_resolved;
ALTER TABLE requests DROP CONSTRAINT requests_resolved_at;
ALTER TABLE requests DROP COLUMN resolved_at;
ALTER TABLE requests DROP CONSTRAINT requests_status_check;
ALTER TABLE requests ADD CONSTRAINT requests_status_check CHECK (status IN ('open', 'closed'));
