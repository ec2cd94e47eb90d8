-- Webhooks: subscriptions to asset changes, a persistent outbox filled in the writing
-- transaction, and one delivery per subscription and change with its attempts.

CREATE TABLE webhook_subscriptions (
    id                     uuid PRIMARY KEY,
    -- The organisation whose key subscribed; NULL for an admin's subscription.
    organization_id        uuid REFERENCES organizations (id),
    -- Admin subscriptions hear of every asset; others of published ones and their own.
    sees_everything        boolean NOT NULL,
    created_by_key         uuid REFERENCES api_keys (id),
    url                    text NOT NULL,
    description            text,
    -- `whsec_` + base64 of 32 random bytes. Kept, because signing needs it; never shown again.
    secret                 text NOT NULL,
    events                 text[] NOT NULL,
    filter_organization_id uuid,
    filter_point           geography(Point, 4326),
    filter_radius_m        double precision,
    filter_place           text,
    -- The interests asked for, and those with their narrower terms (what is matched).
    filter_interests       uuid[],
    filter_interest_ids    uuid[],
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_at              timestamptz,
    paused_reason          text,
    consecutive_failures   integer NOT NULL DEFAULT 0,
    failing_since          timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((filter_point IS NULL) = (filter_radius_m IS NULL))
);
CREATE INDEX webhook_subscriptions_organization ON webhook_subscriptions (organization_id);

-- Asset entries of the audit log waiting to be matched against subscriptions. A row is added
-- by the trigger below in the transaction that writes the entry, so a change that commits is
-- always queued and one that rolls back never is; the dispatcher removes it in the
-- transaction that creates its deliveries.
CREATE TABLE webhook_outbox (
    audit_event_id bigint PRIMARY KEY REFERENCES audit_events (id)
);

CREATE FUNCTION webhook_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- With nobody subscribed there is nothing to deliver: skip the row.
    IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE status = 'active') THEN
        INSERT INTO webhook_outbox (audit_event_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_to_webhook_outbox AFTER INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.entity_type = 'asset') EXECUTE FUNCTION webhook_outbox_enqueue();

CREATE TABLE webhook_deliveries (
    -- Sent as `webhook-id`: the same for every attempt, so a receiver can drop repeats.
    id                uuid PRIMARY KEY,
    seq               bigserial NOT NULL UNIQUE,
    subscription_id   uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    audit_event_id    bigint NOT NULL,
    event_type        text NOT NULL,
    -- The exact body sent on every attempt.
    payload           text NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    -- When to try next; while an attempt runs, the end of its lease (a process that dies
    -- mid-attempt leaves the delivery to be tried again after it).
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz,
    UNIQUE (subscription_id, audit_event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, seq);

CREATE TABLE webhook_attempts (
    delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    -- The receiver's HTTP status, or NULL when no answer came (`error` says why).
    status_code  integer,
    error        text,
    duration_ms  integer NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- Subscriptions are audited like every other write (their secret never).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_entity_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_entity_type_check
    CHECK (entity_type IN ('asset', 'organization', 'venue', 'api_key', 'import', 'webhook'));

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
