-- Open Referral UK: imports of other directories' feeds, and what an import needs on assets.

-- Taxonomy terms of an imported service that map to nothing in our vocabulary, kept so that
-- nothing the source said is lost and a later vocabulary can map them; and a digest of the
-- source record, so that re-importing an unchanged record writes nothing.
ALTER TABLE assets
    ADD COLUMN source_tags   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN source_digest text;
ALTER TABLE venues ADD COLUMN source_digest text;
ALTER TABLE organizations ADD COLUMN source_digest text;

-- One run of an importer: its progress, counts and per-record errors.
CREATE TABLE imports (
    id              uuid PRIMARY KEY,
    format          text NOT NULL CHECK (format IN ('oruk', 'csv')),
    source          text NOT NULL,
    organization_id uuid REFERENCES organizations (id),
    status          text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    detected_version text,
    pages           integer NOT NULL DEFAULT 0,
    seen            integer NOT NULL DEFAULT 0,
    created         integer NOT NULL DEFAULT 0,
    updated         integer NOT NULL DEFAULT 0,
    unchanged       integer NOT NULL DEFAULT 0,
    linked          integer NOT NULL DEFAULT 0,
    archived        integer NOT NULL DEFAULT 0,
    -- Records the source marks inactive or defunct: not imported, and archived if held.
    skipped         integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    -- [{record, page, field, reason}], at most the first 1,000.
    errors          jsonb NOT NULL DEFAULT '[]',
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);

-- A source record recognised as the same as an asset we already hold (from another source or an
-- agency): the asset is left as its owner wrote it, and the record is not imported again.
CREATE TABLE import_links (
    source     text NOT NULL,
    source_id  text NOT NULL,
    asset_id   uuid NOT NULL REFERENCES assets (id),
    reason     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, source_id)
);
CREATE INDEX import_links_asset ON import_links (asset_id);

-- The ORUK feed pages services in a stable order and filters by modification time.
CREATE INDEX assets_published_updated ON assets (updated_at, id) WHERE status = 'published';
CREATE INDEX organizations_name_lower ON organizations (lower(name));

-- Source tags are searchable words too.
CREATE OR REPLACE FUNCTION refresh_asset_search(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets a SET
        geom = coalesce(s.location, a.service_area::geometry::geography),
        accessibility = coalesce(s.accessibility, '{}'),
        non_stigmatised = s.non_stigmatised,
        venue_type = s.venue_type,
        interest_ids = s.interest_ids,
        sessions = s.sessions,
        search_text = concat_ws(' ', a.title, a.description, s.org_name, s.venue_name, s.town, s.postcode, s.interest_words,
                              array_to_string(a.source_tags, ' '))
    FROM (
        SELECT x.id, o.name AS org_name, v.location, v.accessibility, v.non_stigmatised, v.venue_type,
               v.name AS venue_name, v.town, v.postcode,
               coalesce((SELECT array_agg(ai.term_id ORDER BY ai.term_id)
                         FROM asset_interests ai WHERE ai.asset_id = x.id), '{}') AS interest_ids,
               (SELECT string_agg(t.label || ' ' || array_to_string(t.synonyms, ' '), ' ' ORDER BY t.label)
                FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id
                WHERE ai.asset_id = x.id) AS interest_words,
               coalesce((SELECT jsonb_agg(jsonb_build_object('weekday', se.weekday, 'on_date', se.on_date,
                             'start', to_char(se.start_time, 'HH24:MI'), 'end', to_char(se.end_time, 'HH24:MI'),
                             'valid_from', se.valid_from, 'valid_until', se.valid_until) ORDER BY se.position)
                         FROM asset_sessions se WHERE se.asset_id = x.id), '[]'::jsonb) AS sessions
        FROM assets x
        JOIN organizations o ON o.id = x.organization_id
        LEFT JOIN venues v ON v.id = x.venue_id
        WHERE x.id = ANY (ids)
    ) s
    WHERE a.id = s.id;
$$;
