DROP INDEX IF EXISTS organizations_name_lower;
DROP INDEX IF EXISTS assets_published_updated;
DROP TABLE IF EXISTS import_links;
DROP TABLE IF EXISTS imports;
ALTER TABLE organizations DROP COLUMN IF EXISTS source_digest;
ALTER TABLE venues DROP COLUMN IF EXISTS source_digest;
ALTER TABLE assets DROP COLUMN IF EXISTS source_tags, DROP COLUMN IF EXISTS source_digest;
