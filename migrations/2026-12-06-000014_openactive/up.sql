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

-- Our own OpenActive feed is ordered by each asset's last change: the transaction that made it.
-- A trigger keeps the position (one row per asset, so the feed pages by index), and the feed
-- reads only positions below the oldest running transaction, so a change committed late can
-- never land behind a page a reader has already passed.
-- `ever_live`: the asset has been in the feed, so its withdrawal must be a deleted item; an
-- asset that never was (a book club, a listing with no price) is left out entirely.
CREATE TABLE asset_feed_positions (
    asset_id uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    txid xid8 NOT NULL,
    ever_live boolean NOT NULL
);
CREATE INDEX asset_feed_positions_order ON asset_feed_positions (txid, asset_id)
    WHERE ever_live;

-- Whether OpenActive can describe the asset, so that it goes in our feed: published, ours
-- (not a demo example, not harvested from OpenActive), somewhere (a placed venue, or online),
-- with a known price, at least one session, and an activity of OpenActive's Activity List.
CREATE FUNCTION openactive_ready(a assets) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT a.status = 'published' AND NOT a.is_example
        AND (a.source IS NULL OR a.source NOT LIKE 'openactive:%')
        AND (a.online OR EXISTS (SELECT 1 FROM venues v
                                 WHERE v.id = a.venue_id AND v.location IS NOT NULL))
        AND (a.cost_free IS NOT NULL OR a.cost_pence IS NOT NULL)
        AND EXISTS (SELECT 1 FROM asset_sessions s WHERE s.asset_id = a.id)
        AND EXISTS (SELECT 1 FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id
                    WHERE ai.asset_id = a.id AND t.source_uri IS NOT NULL)
$$;

CREATE FUNCTION note_asset_feed_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO asset_feed_positions (asset_id, txid, ever_live)
    VALUES (NEW.id, pg_current_xact_id(), openactive_ready(NEW))
    ON CONFLICT (asset_id) DO UPDATE
        SET txid = EXCLUDED.txid,
            ever_live = asset_feed_positions.ever_live OR EXCLUDED.ever_live;
    RETURN NULL;
END
$$;
CREATE TRIGGER assets_feed_position AFTER INSERT OR UPDATE ON assets
    FOR EACH ROW EXECUTE FUNCTION note_asset_feed_position();

INSERT INTO asset_feed_positions (asset_id, txid, ever_live)
SELECT a.id, pg_current_xact_id(), openactive_ready(a) FROM assets a;
