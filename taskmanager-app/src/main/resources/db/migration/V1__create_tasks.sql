-- Tasks. Ids are BIGINT identities so a later users table (V2+, for auth) can reference tasks and be
-- referenced from them (owner_id BIGINT) without rewriting this table.
CREATE TABLE tasks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       VARCHAR(200) NOT NULL CHECK (char_length(btrim(title)) > 0),
    description TEXT CHECK (description IS NULL OR char_length(description) <= 10000),
    status      VARCHAR(20)  NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'in_progress', 'completed')),
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- Lists are newest first, optionally filtered by status: both shapes get an index.
CREATE INDEX idx_tasks_created_at ON tasks (created_at DESC, id DESC);
CREATE INDEX idx_tasks_status_created_at ON tasks (status, created_at DESC, id DESC);
