-- +goose Up
-- The outside organisations (a Slack Connect team id) whose people are a
-- client's users. Recorded when a shared channel is linked to the client, so a
-- guest's client is decided by who they are, never by the channel they are in.
-- One organisation belongs to at most one client in a workspace.
CREATE TABLE client_orgs (
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    org_id       text        NOT NULL CHECK (org_id <> ''),
    client_id    bigint      NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    linked_by    bigint      REFERENCES people (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, org_id)
);

-- A workspace always has a platform id: an event without one is refused, and
-- must never create the workspace ('slack', '').
ALTER TABLE workspaces ADD CONSTRAINT workspaces_external_id_set CHECK (external_id <> '') NOT VALID;

-- +goose Down
ALTER TABLE workspaces DROP CONSTRAINT workspaces_external_id_set;
DROP TABLE client_orgs;
