-- Matching: the columns a candidate query needs without joins, and a planar index to find the
-- nearest candidates quickly.
--
-- geom_plane is the asset's point on a sinusoidal projection of the sphere centred on 2°W (x =
-- (lon + 2)·cos(lat), y = lat, in metres at 111,195 m per degree). KNN on planar geometry walks the
-- index several times faster than on geography, and unlike British National Grid (ST_Transform)
-- it needs no PROJ set-up per statement, which cost more than the search itself. Within a few
-- hundred kilometres of 2°W distances on it are within about 4% of the sphere's; it is used only
-- to choose candidates, with a margin, and every distance shown is computed on the sphere
-- (domain::geometry::plane is the same formula). Service areas and online assets have no
-- geom_plane and are found by their own branches of the candidate query.
ALTER TABLE assets
    ADD COLUMN venue_type text,
    ADD COLUMN sessions   jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN geom_plane geometry(Point) GENERATED ALWAYS AS (
        CASE WHEN geom IS NOT NULL AND ST_GeometryType(geom::geometry) = 'ST_Point'
             THEN ST_MakePoint((ST_X(geom::geometry) + 2) * cos(radians(ST_Y(geom::geometry))) * 111195.08,
                               ST_Y(geom::geometry) * 111195.08) END) STORED;

-- Not partial, so that CLUSTER can use it: a KNN walk over a table kept in spatial order reads a
-- few heap pages instead of one per asset (docs/benchmarks.md: 1.6x the throughput at 1M).
CREATE INDEX assets_geom_plane_gist ON assets USING gist (geom_plane);
CREATE INDEX assets_service_area_published_gist ON assets USING gist (service_area)
    WHERE status = 'published' AND venue_id IS NULL AND service_area IS NOT NULL;
CREATE INDEX assets_placeless ON assets (id) WHERE status = 'published' AND geom IS NULL;

CREATE OR REPLACE FUNCTION refresh_asset_search(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets a SET
        geom = coalesce(s.location, a.service_area::geometry::geography),
        accessibility = coalesce(s.accessibility, '{}'),
        non_stigmatised = s.non_stigmatised,
        venue_type = s.venue_type,
        interest_ids = s.interest_ids,
        sessions = s.sessions,
        search_text = concat_ws(' ', a.title, a.description, s.org_name, s.venue_name, s.town, s.postcode, s.interest_words)
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

SELECT refresh_asset_search(array(SELECT id FROM assets));
