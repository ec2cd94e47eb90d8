DROP FUNCTION refresh_asset_search(uuid[]);
ALTER TABLE venues DROP COLUMN location_precision;
DROP INDEX assets_published_title;
ALTER TABLE assets
    DROP COLUMN search_vector,
    DROP COLUMN search_text,
    DROP COLUMN non_stigmatised,
    DROP COLUMN accessibility,
    DROP COLUMN interest_ids,
    DROP COLUMN geom;
