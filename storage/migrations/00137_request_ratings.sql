-- +goose Up
-- How the person who opened a request rated its handling, from the one-click
-- buttons on the "closed" message they get (/rate). One rating per request;
-- rating again replaces it. Counted in the manager's daily digest.
CREATE TABLE request_ratings (
    request_id bigint      PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    person_id  bigint      NOT NULL REFERENCES people (id),
    score      smallint    NOT NULL CHECK (score BETWEEN 1 AND 3), -- 1 poor, 2 ok, 3 good
    rated_at   timestamptz NOT NULL
);
CREATE INDEX request_ratings_rated_at ON request_ratings (rated_at);

-- +goose Down
DROP TABLE request_ratings;
