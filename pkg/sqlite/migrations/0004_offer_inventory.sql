-- The offer inventory of a poverty-prevention office: for whom an offer
-- is (ages, household types), on which conditions, towards which goals of
-- poverty prevention, in which languages, whether it is barrier-free, when
-- it is open and how to reach it. Offer layers get a visibility (the rule
-- of indicators), and the import log says which edit of the inventory an
-- entry is, so that the audit log can list who changed what.
--
-- Every column is added with a default that means "not given", so that
-- existing rows read as before: no row is rewritten.

ALTER TABLE offer_layers ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'internal', 'confidential'));

ALTER TABLE offers ADD COLUMN age_min INTEGER CHECK (age_min BETWEEN 0 AND 130);
ALTER TABLE offers ADD COLUMN age_max INTEGER CHECK (age_max BETWEEN 0 AND 130);
ALTER TABLE offers ADD COLUMN household_types TEXT NOT NULL DEFAULT '[]'; -- JSON array
ALTER TABLE offers ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';      -- JSON array
ALTER TABLE offers ADD COLUMN conditions_note TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN goals TEXT NOT NULL DEFAULT '[]';           -- JSON array
ALTER TABLE offers ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';       -- JSON array
ALTER TABLE offers ADD COLUMN barrier_free INTEGER CHECK (barrier_free IN (0, 1)); -- NULL: not known
ALTER TABLE offers ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN contact TEXT NOT NULL DEFAULT '';

-- offer_create, offer_update, offer_close, offer_import; '' for imports of
-- files and computations. note says what changed.
ALTER TABLE imports ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN note TEXT NOT NULL DEFAULT '';
