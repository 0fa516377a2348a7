-- API tokens. The secret is never stored, only its SHA-256 (hex): a copy
-- of the database gives no access. Tokens are revoked, never deleted, so
-- the audit log can say who created and revoked which.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'editor', 'admin')),
    hash       TEXT NOT NULL UNIQUE,
    created    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked    TEXT,
    revoked_by TEXT
);
