-- +goose Up
-- Each override is a training row of its workspace's model; weight is how much
-- it counts against the committed model when /classify retrain refits.
ALTER TABLE learned_overrides ADD COLUMN weight real NOT NULL DEFAULT 5 CHECK (weight > 0);

-- A workspace's model: the weights its overrides moved, on top of the model
-- committed with the code (commands/classify/model.json, version named in it).
CREATE TABLE classifier_models (
    workspace_id bigint      PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    model        jsonb       NOT NULL,
    training_rows integer    NOT NULL CHECK (training_rows > 0),
    trained_by   bigint      REFERENCES people (id),
    trained_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE classifier_models;
ALTER TABLE learned_overrides DROP COLUMN weight;
