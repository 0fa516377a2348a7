-- The embedded store's schema. Keys that users see (level "plr", unit code
-- "01100101", indicator "mss_s1") are stored once; rows refer to each other
-- by integer ids, which keeps the long value table small and fast.
-- Geometries are WKB in EPSG:4326 with their bounding box in an R*Tree.

CREATE TABLE imports (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    user     TEXT NOT NULL DEFAULT '',
    files    TEXT NOT NULL,           -- JSON array of {name, sha256, bytes}
    started  TEXT NOT NULL,           -- RFC 3339
    finished TEXT,
    changes  TEXT                     -- JSON counts per kind
);

CREATE TABLE levels (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES levels (id),
    description TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    licence     TEXT NOT NULL DEFAULT '',
    attribution TEXT NOT NULL DEFAULT ''
);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    level_id   INTEGER NOT NULL REFERENCES levels (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES units (id),
    valid_from INTEGER,               -- yyyymmdd
    valid_to   INTEGER,
    geom       BLOB NOT NULL,         -- WKB MultiPolygon, EPSG:4326
    UNIQUE (level_id, code)
);
CREATE INDEX units_parent ON units (parent_id);
CREATE VIRTUAL TABLE units_bbox USING rtree (id, minx, maxx, miny, maxy);

CREATE TABLE offer_layers (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    licence     TEXT NOT NULL DEFAULT '',
    attribution TEXT NOT NULL DEFAULT ''
);

CREATE TABLE offers (
    id            INTEGER PRIMARY KEY,
    layer_id      INTEGER NOT NULL REFERENCES offer_layers (id),
    key           TEXT NOT NULL,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    subcategory   TEXT NOT NULL DEFAULT '',
    provider      TEXT NOT NULL DEFAULT '',
    provider_type TEXT NOT NULL DEFAULT '',
    capacity      INTEGER,
    address       TEXT NOT NULL DEFAULT '',
    target_groups TEXT NOT NULL DEFAULT '[]', -- JSON array
    attributes    TEXT NOT NULL DEFAULT '{}', -- JSON object
    valid_from    INTEGER,
    valid_to      INTEGER,
    lon           REAL NOT NULL,
    lat           REAL NOT NULL,
    UNIQUE (layer_id, key)
);
CREATE INDEX offers_lonlat ON offers (layer_id, lon, lat);

CREATE TABLE indicators (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    licence     TEXT NOT NULL DEFAULT '',
    attribution TEXT NOT NULL DEFAULT '',
    polarity    TEXT NOT NULL CHECK (polarity IN ('higher_worse', 'higher_better', 'neutral')),
    precision   INTEGER NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    interval    TEXT NOT NULL DEFAULT ''
);

-- One row per indicator, unit and date: never one column per date.
-- No row-level foreign keys: checking them costs a tenth of a bulk load of
-- millions of rows, and the store resolves every indicator and unit inside
-- the import's transaction and refuses unknown ones. The triggers below keep
-- a referenced row from being deleted instead (as the PostGIS store does).
CREATE TABLE indicator_values (
    indicator_id INTEGER NOT NULL,  -- indicators (id)
    unit_id      INTEGER NOT NULL,  -- units (id)
    date         INTEGER NOT NULL,  -- yyyymmdd
    value        REAL,
    numerator    REAL,
    denominator  REAL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'suppressed', 'missing')),
    import_id    INTEGER NOT NULL,  -- imports (id)
    PRIMARY KEY (indicator_id, unit_id, date),
    CHECK (status = 'ok' OR (value IS NULL AND numerator IS NULL AND denominator IS NULL))
) WITHOUT ROWID;

CREATE TRIGGER units_keep_values BEFORE DELETE ON units
WHEN EXISTS (SELECT 1 FROM indicator_values WHERE unit_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'delete on units would leave indicator values without their row'); END;
CREATE TRIGGER indicators_keep_values BEFORE DELETE ON indicators
WHEN EXISTS (SELECT 1 FROM indicator_values WHERE indicator_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'delete on indicators would leave indicator values without their row'); END;
CREATE TRIGGER imports_keep_values BEFORE DELETE ON imports
WHEN EXISTS (SELECT 1 FROM indicator_values WHERE import_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'delete on imports would leave indicator values without their row'); END;
