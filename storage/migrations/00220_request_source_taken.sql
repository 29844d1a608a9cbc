-- +goose Up
-- request_source_taken aborts the statement that opens a request when a
-- request from the same source already exists: that statement also took the
-- workspace's next number, and the abort gives it back (storage.CreateRequest
-- runs as one statement, with no transaction of its own to roll back).
-- +goose StatementBegin
CREATE FUNCTION request_source_taken() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'MS010', MESSAGE = 'a request from this source exists';
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION request_source_taken();
