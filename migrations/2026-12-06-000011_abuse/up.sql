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
