-- Restores the search-column function of the previous migration.
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
DROP INDEX IF EXISTS organizations_name_lower;
DROP INDEX IF EXISTS assets_published_updated;
DROP TABLE IF EXISTS import_links;
DROP TABLE IF EXISTS imports;
ALTER TABLE organizations DROP COLUMN IF EXISTS source_digest;
ALTER TABLE venues DROP COLUMN IF EXISTS source_digest;
ALTER TABLE assets DROP COLUMN IF EXISTS source_tags, DROP COLUMN IF EXISTS source_digest;
