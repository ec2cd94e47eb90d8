CREATE OR REPLACE FUNCTION audit_snapshot(kind text, entity uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE kind
    WHEN 'asset' THEN (
        SELECT (to_jsonb(a) - ARRAY['geom', 'geom_plane', 'interest_ids', 'accessibility',
                                   'non_stigmatised', 'venue_type', 'sessions', 'search_text',
                                   'search_vector', 'location_precision', 'service_area'])
            || jsonb_build_object(
                'service_area', ST_AsGeoJSON(a.service_area)::jsonb,
                'sessions', coalesce((
                    SELECT jsonb_agg(to_jsonb(s) - ARRAY['id', 'asset_id'] ORDER BY s.position)
                    FROM asset_sessions s WHERE s.asset_id = a.id), '[]'::jsonb),
                'interests', coalesce((
                    SELECT jsonb_agg(t.slug ORDER BY t.slug)
                    FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id
                    WHERE ai.asset_id = a.id), '[]'::jsonb))
        FROM assets a WHERE a.id = entity)
    WHEN 'venue' THEN (
        SELECT (to_jsonb(v) - 'location')
            || jsonb_build_object('location', ST_AsGeoJSON(v.location)::jsonb)
        FROM venues v WHERE v.id = entity)
    WHEN 'organization' THEN (SELECT to_jsonb(o) FROM organizations o WHERE o.id = entity)
    WHEN 'api_key' THEN (SELECT to_jsonb(k) - 'secret_hash' FROM api_keys k WHERE k.id = entity)
    WHEN 'import' THEN (SELECT to_jsonb(i) - 'errors' FROM imports i WHERE i.id = entity)
    WHEN 'webhook' THEN (
        SELECT (to_jsonb(w) - ARRAY['secret', 'filter_point'])
            || jsonb_build_object('filter_point', ST_AsGeoJSON(w.filter_point)::jsonb)
        FROM webhook_subscriptions w WHERE w.id = entity)
    END
$$;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_entity_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_entity_type_check
    CHECK (entity_type IN ('asset', 'organization', 'venue', 'api_key', 'import', 'webhook'));
ALTER TABLE assets DROP COLUMN outcomes;
DROP TABLE referrals;
