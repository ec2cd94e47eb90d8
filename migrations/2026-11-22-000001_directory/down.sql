DROP TABLE api_keys;
DROP TABLE asset_interests;
DROP TABLE interest_phrases;
DROP TABLE interest_terms;
DROP TABLE asset_sessions;
DROP TABLE assets;
DROP TABLE venues;
DROP TABLE organizations;
