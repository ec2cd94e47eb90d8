ALTER TABLE venues DROP COLUMN IF EXISTS status, DROP COLUMN IF EXISTS created_with_asset;
DROP TABLE IF EXISTS asset_pending_changes;
DROP INDEX IF EXISTS referrals_by_source;
DROP FUNCTION IF EXISTS referral_outcomes(uuid);
DROP INDEX IF EXISTS webhook_deliveries_due_per_subscription;
