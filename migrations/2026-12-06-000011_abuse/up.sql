-- Closing the holes an attack on the service found (issue 17).

-- Secrets were kept in the stored first responses of Idempotency-Key requests (a new API key,
-- a webhook's signing secret); they are never stored now, and those already stored go.
DELETE FROM idempotency_keys
WHERE position(convert_to('"secret"', 'UTF8') IN coalesce(response_body, '')) > 0;

-- Due deliveries are claimed per subscriber, in turns.
CREATE INDEX webhook_deliveries_due_per_subscription
    ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending';
