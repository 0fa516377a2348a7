-- Two things the store learns:
--  1. Indicators may be confidential: raw inputs (counts per block from the
--     statistics office) that computations read and nothing serves.
--  2. An import records the imports a computation read (its provenance).
--
-- SQLite cannot change a CHECK constraint in place. The indicators table is
-- rebuilt the way https://www.sqlite.org/lang_altertable.html ("Making
-- Other Kinds Of Table Schema Changes") describes: create the new table,
-- copy the rows with their ids, drop the old one, rename the new one, then
-- recreate what the drop took along. No table refers to indicators with a
-- foreign key (indicator_values refers to it by id only, see 0001), so the
-- drop deletes nothing elsewhere; the one trigger on indicators,
-- indicators_keep_values, is dropped with it and created again below. The
-- runner wraps this file in a transaction: it applies whole or not at all.

CREATE TABLE indicators_0002 (
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
    visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal', 'confidential')),
    interval    TEXT NOT NULL DEFAULT ''
);

INSERT INTO indicators_0002 (id, key, name, unit, description, topic, source, licence, attribution,
                             polarity, precision, visibility, interval)
SELECT id, key, name, unit, description, topic, source, licence, attribution,
       polarity, precision, visibility, interval
FROM indicators;

DROP TABLE indicators;
ALTER TABLE indicators_0002 RENAME TO indicators;

CREATE TRIGGER indicators_keep_values BEFORE DELETE ON indicators
WHEN EXISTS (SELECT 1 FROM indicator_values WHERE indicator_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'delete on indicators would leave indicator values without their row'); END;

-- The ids of the imports a computation read, as a JSON array of integers;
-- [] for an import of files.
ALTER TABLE imports ADD COLUMN inputs TEXT NOT NULL DEFAULT '[]';
