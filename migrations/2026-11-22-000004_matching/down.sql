DROP INDEX IF EXISTS assets_placeless;
DROP INDEX IF EXISTS assets_service_area_published_gist;
DROP INDEX IF EXISTS assets_geom_plane_gist;
ALTER TABLE assets DROP COLUMN geom_plane, DROP COLUMN sessions, DROP COLUMN venue_type;

CREATE OR REPLACE FUNCTION refresh_asset_search(ids uuid[]) RETURNS void
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
