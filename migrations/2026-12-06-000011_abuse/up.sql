-- Closing the holes an attack on the service found (issue 17).

-- Secrets were kept in the stored first responses of Idempotency-Key requests (a new API key,
-- a webhook's signing secret); they are never stored now, and those already stored go.
DELETE FROM idempotency_keys
WHERE position(convert_to('"secret"', 'UTF8') IN coalesce(response_body, '')) > 0;

-- Due deliveries are claimed per subscriber, in turns.
CREATE INDEX webhook_deliveries_due_per_subscription
    ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending';

-- An asset's referrals in sum, as the API shows them, plus what matching weighs: how many teams
-- (organisations, or keys of no organisation) recorded them, and per team how many went and
-- how many kept going, so that no one team can swing the factor.
CREATE FUNCTION referral_outcomes(asset uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH r AS (SELECT * FROM referrals WHERE asset_id = asset),
    per_source AS (
        SELECT count(tried_on) + count(*) FILTER (WHERE tried_on IS NULL
                                                    AND kept_going_on IS NOT NULL) AS tried,
               count(kept_going_on) AS kept
        FROM r GROUP BY coalesce(recorded_by_organization, recorded_by_key))
    SELECT jsonb_build_object(
        'referrals', count(*),
        'tried', count(tried_on) + count(*) FILTER (WHERE tried_on IS NULL
                                                      AND kept_going_on IS NOT NULL),
        'kept_going', count(kept_going_on),
        'stopped', count(stopped_on),
        'barriers', coalesce((SELECT jsonb_object_agg(barrier, n) FROM (
            SELECT barrier, count(*) AS n FROM r WHERE barrier IS NOT NULL GROUP BY barrier) b),
            '{}'),
        'sources', (SELECT count(*) FROM per_source),
        'by_source', coalesce((SELECT jsonb_agg(jsonb_build_array(tried, kept)
                                                ORDER BY tried DESC, kept DESC)
                               FROM per_source), '[]'))
    FROM r
$$;
UPDATE assets SET outcomes = referral_outcomes(id) WHERE outcomes IS NOT NULL;

-- Each team's referrals of the day, counted against its daily limits.
CREATE INDEX referrals_by_source ON referrals
    ((coalesce(recorded_by_organization, recorded_by_key)), created_at);

-- An untrusted organisation's change to a published asset waits here for an admin's review,
-- while the published version stays live; one waiting change per asset (a newer one replaces
-- it). `submission` is the body as the agency sent it, already checked.
CREATE TABLE asset_pending_changes (
    asset_id         uuid PRIMARY KEY REFERENCES assets (id),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    submission       jsonb NOT NULL,
    submitted_by_key uuid REFERENCES api_keys (id),
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    base_version     integer NOT NULL
);

-- Proposals, approvals and rejections are in the audit log as `asset_change` entries of the
-- asset's id (the change feed and webhooks read `asset` entries only: a proposal changes
-- nothing anyone can see).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_entity_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_entity_type_check
    CHECK (entity_type IN ('asset', 'organization', 'venue', 'api_key', 'import', 'webhook',
                           'referral', 'asset_change'));

CREATE OR REPLACE FUNCTION audit_snapshot(kind text, entity uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE kind
    WHEN 'asset' THEN (
        SELECT (to_jsonb(a) - ARRAY['geom', 'geom_plane', 'interest_ids', 'accessibility',
                                   'non_stigmatised', 'venue_type', 'sessions', 'search_text',
                                   'search_vector', 'location_precision', 'service_area',
                                   'outcomes'])
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
    WHEN 'referral' THEN (SELECT to_jsonb(r) FROM referrals r WHERE r.id = entity)
    WHEN 'asset_change' THEN (SELECT to_jsonb(c) FROM asset_pending_changes c WHERE c.asset_id = entity)
    END
$$;

-- Venues are moderated like assets: an untrusted organisation's new venue is `pending`, seen
-- only by the organisation and admins, until an admin publishes an asset there. Venues made
-- with an asset (inline) are removed once no asset uses them.
ALTER TABLE venues
    ADD COLUMN status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'pending')),
    ADD COLUMN created_with_asset boolean NOT NULL DEFAULT false;
-- A venue created in the same transaction as an asset write was made inline.
UPDATE venues v SET created_with_asset = true
WHERE v.source IS NULL AND EXISTS (
    SELECT 1 FROM audit_events ve
    JOIN audit_events ae ON ae.txid = ve.txid AND ae.entity_type = 'asset'
    WHERE ve.entity_type = 'venue' AND ve.action = 'create' AND ve.entity_id = v.id);
UPDATE venues v SET status = 'pending'
WHERE v.organization_id IN (SELECT id FROM organizations WHERE NOT trusted)
  AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.venue_id = v.id AND a.status = 'published');
-- Every inline venue no asset uses any more (each PUT with an inline venue used to leave one
-- behind), removed with an audit entry.
WITH gone AS (
    DELETE FROM venues v
    WHERE v.created_with_asset AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.venue_id = v.id)
    RETURNING v.*)
INSERT INTO audit_events (actor_kind, action, entity_type, entity_id, organization_id, before)
SELECT 'command_line', 'delete', 'venue', g.id, g.organization_id,
       (to_jsonb(g) - 'location') || jsonb_build_object('location', ST_AsGeoJSON(g.location)::jsonb)
FROM gone g;
