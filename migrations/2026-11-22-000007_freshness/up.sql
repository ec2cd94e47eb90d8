-- An organisation's listings, the longest unconfirmed first (GET /v1/organizations/{id}/assets),
-- page by page without sorting the whole set.
CREATE INDEX assets_organization_last_confirmed
    ON assets (organization_id, (coalesce(confirmed_at, created_at)), id);
