-- Idempotency-Key values sent with POST /tasks: a create retried after a lost answer (a connection closed
-- by a reload, a timeout) finds its key here and gets the task it already made instead of a second one.
-- A key belongs to one request shape (fingerprint) and lives 24 hours; deleting the task frees the key.
CREATE TABLE idempotency_keys (
    key         VARCHAR(255) PRIMARY KEY,
    fingerprint CHAR(64)     NOT NULL,
    task_id     BIGINT       NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX idx_idempotency_keys_task_id ON idempotency_keys (task_id);
