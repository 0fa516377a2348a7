-- Two things the store learns:
--  1. Indicators may be confidential: raw inputs (counts per block from the
--     statistics office) that computations read and nothing serves.
--  2. An import records the imports a computation read (its provenance).
--
-- The CHECK of 0001 was declared on the column, so PostgreSQL named it
-- indicators_visibility_check. Dropping and adding it in one ALTER TABLE
-- checks the existing rows once, under the lock the statement takes anyway.
ALTER TABLE sozialatlas.indicators
    DROP CONSTRAINT indicators_visibility_check,
    ADD CONSTRAINT indicators_visibility_check
        CHECK (visibility IN ('public', 'internal', 'confidential'));

-- The ids of the imports a computation read; empty for an import of files.
-- An array cannot carry foreign keys; the store never deletes an import.
ALTER TABLE sozialatlas.imports ADD COLUMN inputs bigint[] NOT NULL DEFAULT '{}';
