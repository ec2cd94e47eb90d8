-- The change feed is the audit log's asset entries, and assets loaded without an entry (the
-- demo directory, exports from before this, bulk loads) never appeared in it: a mirror built
-- from the feed missed them. This function writes a `create` entry, by the command line, for
-- every asset that has none, oldest first; seeding and restoring call it, and it runs once here
-- for what is already stored.
CREATE FUNCTION audit_unrecorded_assets() RETURNS bigint LANGUAGE sql AS $$
    WITH missing AS (
        SELECT a.id, a.organization_id
        FROM assets a
        WHERE NOT EXISTS (
            SELECT 1 FROM audit_events e WHERE e.entity_type = 'asset' AND e.entity_id = a.id)
        ORDER BY a.created_at, a.id
    ), written AS (
        INSERT INTO audit_events (actor_kind, action, entity_type, entity_id, organization_id,
                                  before, after)
        SELECT 'command_line', 'create', 'asset', m.id, m.organization_id, NULL,
               audit_snapshot('asset', m.id)
        FROM missing m
        RETURNING 1
    )
    SELECT count(*) FROM written
$$;

SELECT audit_unrecorded_assets();
