ALTER TABLE assets
    DROP CONSTRAINT assets_groups_only_needs_groups,
    DROP COLUMN referral_only,
    DROP COLUMN audience_groups_only,
    DROP COLUMN audience_groups,
    DROP COLUMN audience_gender;
