-- Search: columns copied onto assets from their venue, organisation and interests, so that one
-- index scan on assets answers a search. refresh_asset_search() keeps them current; the data
-- layer calls it in the same transaction as every write that affects them.

ALTER TABLE assets
    -- The venue's point, or else the service area; NULL for online-only assets.
    ADD COLUMN geom            geography(Geometry, 4326),
    ADD COLUMN interest_ids    uuid[] NOT NULL DEFAULT '{}',
    -- The venue's accessibility features and setting (NULL when there is no venue).
    ADD COLUMN accessibility   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN non_stigmatised boolean,
    -- Title, description, organisation, venue and interest names, for full-text search.
    ADD COLUMN search_text     text NOT NULL DEFAULT '',
    ADD COLUMN search_vector   tsvector GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED;

CREATE INDEX assets_geom_gist ON assets USING gist (geom);
CREATE INDEX assets_interest_ids_gin ON assets USING gin (interest_ids);
CREATE INDEX assets_search_vector_gin ON assets USING gin (search_vector);
CREATE INDEX assets_search_text_trgm ON assets USING gin (search_text gin_trgm_ops);
CREATE INDEX assets_published_title ON assets (title, id) WHERE status = 'published';

-- How a venue's point was obtained: given by the submitter, or from its postcode at some precision.
ALTER TABLE venues
    ADD COLUMN location_precision text NOT NULL DEFAULT 'exact'
        CHECK (location_precision IN ('exact', 'unit', 'sector', 'district'));

CREATE FUNCTION refresh_asset_search(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets a SET
        geom = coalesce(s.location, a.service_area::geometry::geography),
        accessibility = coalesce(s.accessibility, '{}'),
        non_stigmatised = s.non_stigmatised,
        interest_ids = s.interest_ids,
        search_text = concat_ws(' ', a.title, a.description, s.org_name, s.venue_name, s.town, s.postcode, s.interest_words)
    FROM (
        SELECT x.id, o.name AS org_name, v.location, v.accessibility, v.non_stigmatised,
               v.name AS venue_name, v.town, v.postcode,
               coalesce((SELECT array_agg(ai.term_id ORDER BY ai.term_id)
                         FROM asset_interests ai WHERE ai.asset_id = x.id), '{}') AS interest_ids,
               (SELECT string_agg(t.label || ' ' || array_to_string(t.synonyms, ' '), ' ' ORDER BY t.label)
                FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id
                WHERE ai.asset_id = x.id) AS interest_words
        FROM assets x
        JOIN organizations o ON o.id = x.organization_id
        LEFT JOIN venues v ON v.id = x.venue_id
        WHERE x.id = ANY (ids)
    ) s
    WHERE a.id = s.id;
$$;

SELECT refresh_asset_search(array(SELECT id FROM assets));
