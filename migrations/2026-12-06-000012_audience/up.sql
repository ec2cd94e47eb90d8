-- Who a session is for (issue 18): a gender rule, the groups it is made for, whether it is
-- closed to everyone else, and whether it takes referrals only. Defaults describe a mixed
-- session open to all, which is what every existing listing said by saying nothing.
ALTER TABLE assets
    ADD COLUMN audience_gender text NOT NULL DEFAULT 'mixed'
        CHECK (audience_gender IN ('mixed', 'women_only', 'men_only')),
    ADD COLUMN audience_groups text[] NOT NULL DEFAULT '{}',
    ADD COLUMN audience_groups_only boolean NOT NULL DEFAULT false,
    ADD COLUMN referral_only boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT assets_groups_only_needs_groups
        CHECK (NOT audience_groups_only OR cardinality(audience_groups) > 0);

-- Matching adds the nearest sessions made for the person's groups to its candidates; such
-- sessions are few, so the statement starts from this index.
CREATE INDEX assets_audience_groups ON assets USING gin (audience_groups);

-- Concession prices with their own rules (who qualifies, at what age), beside the one flat
-- concession price; the lowest rule price lets the candidate statement keep an asset a rule
-- may make affordable (the rules themselves are checked in Rust).
ALTER TABLE assets
    ADD COLUMN concession_rules jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN min_rule_pence integer;
