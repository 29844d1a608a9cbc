-- +goose Up
-- Discord threads are channels of their own: a message in one names only the
-- thread, so requests are found by thread id alone. (The comments table itself
-- is created in 00010 for every platform.)
CREATE INDEX requests_thread_only ON requests (workspace_id, thread) WHERE thread <> '';

-- +goose Down
DROP INDEX requests_thread_only;
