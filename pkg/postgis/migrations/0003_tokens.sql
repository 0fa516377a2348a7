-- API tokens. The secret is never stored, only its SHA-256 (hex): a copy
-- of the database gives no access. Tokens are revoked, never deleted, so
-- the audit log can say who created and revoked which.
CREATE TABLE sozialatlas.tokens (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('viewer', 'analyst', 'editor', 'admin')),
    hash       text NOT NULL UNIQUE,
    created    timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by text NOT NULL,
    revoked    timestamptz,
    revoked_by text
);
