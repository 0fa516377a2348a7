-- The PostGIS store's schema: the tables of the embedded store in
-- PostgreSQL's own types. Keys that users see (level "plr", unit code
-- "01100101", indicator "mss_s1") are stored once; rows refer to each other
-- by integer ids, which keeps the long value table narrow.
--
-- Every name is qualified with the schema sozialatlas; the migration runner
-- creates that schema (with schema_migrations) before this file runs.

-- PostGIS is not a trusted extension: creating it needs a superuser or the
-- database owner with the right grants. In production a DBA may have to run
-- `CREATE EXTENSION postgis` once beforehand; then this line does nothing,
-- whatever schema the extension lives in.
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

-- Codes and keys are compared and ordered bytewise (COLLATE "C"), as in the
-- embedded store, whatever the database's locale.

CREATE TABLE sozialatlas.imports (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name      text NOT NULL,
    user_name text NOT NULL DEFAULT '',
    files     jsonb NOT NULL DEFAULT '[]', -- [{name, sha256, bytes}]
    started   timestamptz NOT NULL,
    finished  timestamptz,
    changes   jsonb                        -- counts per kind
);

CREATE TABLE sozialatlas.levels (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    name        text NOT NULL,
    parent_id   integer REFERENCES sozialatlas.levels (id),
    description text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    licence     text NOT NULL DEFAULT '',
    attribution text NOT NULL DEFAULT ''
);

CREATE TABLE sozialatlas.units (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level_id   integer NOT NULL REFERENCES sozialatlas.levels (id),
    code       text COLLATE "C" NOT NULL,
    name       text NOT NULL,
    parent_id  integer REFERENCES sozialatlas.units (id),
    valid_from date,
    valid_to   date,
    geom       geometry(MultiPolygon, 4326) NOT NULL,
    UNIQUE (level_id, code)
);
CREATE INDEX units_parent ON sozialatlas.units (parent_id);
CREATE INDEX units_geom ON sozialatlas.units USING gist (geom);

CREATE TABLE sozialatlas.offer_layers (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    licence     text NOT NULL DEFAULT '',
    attribution text NOT NULL DEFAULT ''
);

CREATE TABLE sozialatlas.offers (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer_id      integer NOT NULL REFERENCES sozialatlas.offer_layers (id),
    key           text COLLATE "C" NOT NULL,
    name          text NOT NULL,
    category      text NOT NULL DEFAULT '',
    subcategory   text NOT NULL DEFAULT '',
    provider      text NOT NULL DEFAULT '',
    provider_type text NOT NULL DEFAULT '',
    capacity      bigint,
    address       text NOT NULL DEFAULT '',
    target_groups text[] NOT NULL DEFAULT '{}',
    attributes    jsonb NOT NULL DEFAULT '{}',
    valid_from    date,
    valid_to      date,
    geom          geometry(Point, 4326) NOT NULL,
    UNIQUE (layer_id, key)
);
CREATE INDEX offers_geom ON sozialatlas.offers USING gist (geom);

CREATE TABLE sozialatlas.indicators (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    name        text NOT NULL,
    unit        text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    topic       text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    licence     text NOT NULL DEFAULT '',
    attribution text NOT NULL DEFAULT '',
    polarity    text NOT NULL CHECK (polarity IN ('higher_worse', 'higher_better', 'neutral')),
    precision   integer NOT NULL,
    visibility  text NOT NULL CHECK (visibility IN ('public', 'internal')),
    interval    text NOT NULL DEFAULT ''
);

-- One row per indicator, unit and date: never one column per date.
--
-- Unlike the embedded store, the value table has no row-level foreign keys:
-- PostgreSQL checks them with one query per row and constraint, which made
-- a COPY of 1,000,000 values six times as slow (28 s instead of 4.2 s on
-- two cores). The store resolves every indicator and unit to its id inside
-- the import's transaction, under the import lock, and refuses unknown
-- ones; the statement triggers below refuse deleting a referenced row.
CREATE TABLE sozialatlas.indicator_values (
    indicator_id integer NOT NULL,   -- sozialatlas.indicators (id)
    unit_id      integer NOT NULL,   -- sozialatlas.units (id)
    date         date NOT NULL,
    import_id    integer NOT NULL,   -- sozialatlas.imports (id)
    value        double precision,
    numerator    double precision,
    denominator  double precision,
    status       text NOT NULL CHECK (status IN ('ok', 'suppressed', 'missing')),
    -- The key is (indicator, unit, date) as in the embedded store; its index
    -- lists the date before the unit so that the values of one indicator on
    -- one date (a map) are one range, and so that an import can tell with
    -- one probe per indicator and date whether that slice is new.
    PRIMARY KEY (indicator_id, date, unit_id),
    CHECK (status = 'ok' OR (value IS NULL AND numerator IS NULL AND denominator IS NULL))
);

-- refuse_referenced_delete stands in for the foreign keys of
-- indicator_values on the referenced side: one set-based check per DELETE
-- statement instead of one query per value row on every insert.
CREATE FUNCTION sozialatlas.refuse_referenced_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_TABLE_NAME = 'units' AND EXISTS (
            SELECT 1 FROM gone g JOIN sozialatlas.indicator_values v ON v.unit_id = g.id))
       OR (TG_TABLE_NAME = 'indicators' AND EXISTS (
            SELECT 1 FROM gone g JOIN sozialatlas.indicator_values v ON v.indicator_id = g.id))
       OR (TG_TABLE_NAME = 'imports' AND EXISTS (
            SELECT 1 FROM gone g JOIN sozialatlas.indicator_values v ON v.import_id = g.id)) THEN
        RAISE EXCEPTION 'delete on %.% would leave indicator values without their row', TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER units_keep_values AFTER DELETE ON sozialatlas.units
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION sozialatlas.refuse_referenced_delete();
CREATE TRIGGER indicators_keep_values AFTER DELETE ON sozialatlas.indicators
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION sozialatlas.refuse_referenced_delete();
CREATE TRIGGER imports_keep_values AFTER DELETE ON sozialatlas.imports
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
    EXECUTE FUNCTION sozialatlas.refuse_referenced_delete();
