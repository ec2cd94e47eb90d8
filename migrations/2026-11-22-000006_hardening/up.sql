-- Production hardening: an append-only audit log of every write, and stored responses for
-- Idempotency-Key retries.

-- Who changed what, when: one row per write, never updated or deleted.
CREATE TABLE audit_events (
    id                    bigserial PRIMARY KEY,
    occurred_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- key: an API key; import: an import run (its id in import_id); command_line: the CLI.
    actor_kind            text NOT NULL CHECK (actor_kind IN ('key', 'import', 'command_line')),
    actor_key_id          uuid,
    actor_organization_id uuid,
    actor_role            text,
    import_id             uuid,
    action                text NOT NULL,
    entity_type           text NOT NULL
        CHECK (entity_type IN ('asset', 'organization', 'venue', 'api_key', 'import')),
    entity_id             uuid NOT NULL,
    -- The organisation owning the entity: whose keys may read the entry.
    organization_id       uuid,
    before                jsonb,
    after                 jsonb
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- An entity as the audit log records it: its stored fields, without the columns derived for
-- search, geometry as GeoJSON, secrets never.
CREATE FUNCTION audit_snapshot(kind text, entity uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
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
    END
$$;

-- Runs report in after every page, so that a starting instance can tell a run another
-- instance is still working on from one whose process died.
ALTER TABLE imports ADD COLUMN heartbeat_at timestamptz;

-- The first response to a POST sent with an Idempotency-Key, replayed to its retries.
CREATE TABLE idempotency_keys (
    -- SHA-256 of the caller's API key (or of nothing, for anonymous callers).
    caller_hash     bytea NOT NULL,
    key             text NOT NULL,
    -- SHA-256 of method, path and body: a retry must send the same request.
    request_hash    bytea NOT NULL,
    -- NULL while the first request is being processed.
    status          smallint,
    response_headers jsonb,
    response_body   bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller_hash, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
