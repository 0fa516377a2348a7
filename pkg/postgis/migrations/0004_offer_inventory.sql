-- The offer inventory of a poverty-prevention office: for whom an offer
-- is (ages, household types), on which conditions, towards which goals of
-- poverty prevention, in which languages, whether it is barrier-free, when
-- it is open and how to reach it. Offer layers get a visibility (the rule
-- of indicators), and the import log says which edit of the inventory an
-- entry is, so that the audit log can list who changed what.
--
-- Every column is added with a constant default (or none), which
-- PostgreSQL 11 and later record in the catalog without rewriting the
-- table; existing rows read as before.

ALTER TABLE sozialatlas.offer_layers ADD COLUMN visibility text NOT NULL DEFAULT 'public'
    CONSTRAINT offer_layers_visibility_check CHECK (visibility IN ('public', 'internal', 'confidential'));

ALTER TABLE sozialatlas.offers
    ADD COLUMN age_min integer CHECK (age_min BETWEEN 0 AND 130),
    ADD COLUMN age_max integer CHECK (age_max BETWEEN 0 AND 130),
    ADD COLUMN household_types text[] NOT NULL DEFAULT '{}',
    ADD COLUMN conditions text[] NOT NULL DEFAULT '{}',
    ADD COLUMN conditions_note text NOT NULL DEFAULT '',
    ADD COLUMN goals text[] NOT NULL DEFAULT '{}',
    ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
    ADD COLUMN barrier_free boolean, -- NULL: not known
    ADD COLUMN opening_hours text NOT NULL DEFAULT '',
    ADD COLUMN contact text NOT NULL DEFAULT '';

-- offer_create, offer_update, offer_close, offer_import; '' for imports of
-- files and computations. note says what changed.
ALTER TABLE sozialatlas.imports
    ADD COLUMN action text NOT NULL DEFAULT '',
    ADD COLUMN note text NOT NULL DEFAULT '';
