-- +goose Up
-- What a button runs, by action id, with its value left as {value}: e.g.
-- request.take -> "/request take {value}". Platforms whose button ids are short
-- (Discord's custom_id holds 100 characters) keep only the action id and value
-- on the button and find the command here, also after a restart.
CREATE TABLE action_templates (
    action_id  text PRIMARY KEY,
    template   text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE action_templates;
