DROP INDEX IF EXISTS referrals_by_source;
DROP FUNCTION IF EXISTS referral_outcomes(uuid);
DROP INDEX IF EXISTS webhook_deliveries_due_per_subscription;
