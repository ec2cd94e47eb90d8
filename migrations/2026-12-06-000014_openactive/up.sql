-- OpenActive: what session feeds say that the directory could not hold, agencies' own ids, the
-- licence of harvested listings, and the harvester's state.

ALTER TABLE assets
    -- The submitter's own id for the listing (a booking system's or CRM's), unique within the
    -- organisation, so its system can create or replace by that id.
    ADD COLUMN external_id text,
    ADD COLUMN levels text[] NOT NULL DEFAULT '{}',
    ADD COLUMN coached boolean,
    ADD COLUMN attendee_instructions text,
    ADD COLUMN accessibility_support text[] NOT NULL DEFAULT '{}',
    ADD COLUMN prepayment text CHECK (prepayment IN ('required', 'optional', 'unavailable')),
    -- The licence and credit a harvested listing's source requires ({name, licence, url}).
    ADD COLUMN attribution jsonb;

CREATE UNIQUE INDEX assets_external_id ON assets (organization_id, external_id)
    WHERE external_id IS NOT NULL;

-- A publisher's OpenActive feeds, registered by an admin.
CREATE TABLE openactive_sources (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    -- Every listing goes under this organisation; NULL: one organisation per `organizer`.
    organization_id uuid REFERENCES organizations (id),
    licence text NOT NULL,
    attribution text NOT NULL,
    attribution_url text,
    poll_interval_secs integer NOT NULL CHECK (poll_interval_secs BETWEEN 60 AND 604800),
    enabled boolean NOT NULL DEFAULT true,
    -- Opportunities the directory's rules refused, and the latest reasons (at most 20).
    rejected bigint NOT NULL DEFAULT 0,
    record_errors jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One RPDE feed of a source. `next_url` is the cursor: the page after the last one committed,
-- written in the same transaction as that page's items.
CREATE TABLE openactive_feeds (
    id uuid PRIMARY KEY,
    source_id uuid NOT NULL REFERENCES openactive_sources (id) ON DELETE CASCADE,
    url text NOT NULL,
    next_url text NOT NULL,
    at_end boolean NOT NULL DEFAULT false,
    due_at timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    last_polled_at timestamptz,
    last_success_at timestamptz,
    failing_since timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_error text,
    items_read bigint NOT NULL DEFAULT 0,
    pages_read bigint NOT NULL DEFAULT 0,
    UNIQUE (source_id, url)
);
CREATE INDEX openactive_feeds_due ON openactive_feeds (due_at);

-- Every item read, as the feed last gave it: children (ScheduledSession, Slot) may arrive
-- before their parent, in another feed, so listings are built from what is held here.
-- `node_ids` are the @ids a child may name as its parent (a FacilityUse's own and its
-- IndividualFacilityUses'); `parent_id` is the @id a child names.
CREATE TABLE openactive_items (
    source_id uuid NOT NULL REFERENCES openactive_sources (id) ON DELETE CASCADE,
    kind text NOT NULL,
    item_id text NOT NULL,
    modified text NOT NULL,
    deleted boolean NOT NULL,
    is_parent boolean NOT NULL,
    node_ids text[] NOT NULL DEFAULT '{}',
    parent_id text,
    data jsonb,
    PRIMARY KEY (source_id, kind, item_id)
);
CREATE INDEX openactive_items_nodes ON openactive_items USING gin (node_ids);
CREATE INDEX openactive_items_parent ON openactive_items (source_id, parent_id)
    WHERE parent_id IS NOT NULL;
