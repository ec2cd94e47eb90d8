DROP TRIGGER assets_feed_position ON assets;
DROP FUNCTION note_asset_feed_position();
DROP TABLE asset_feed_positions;
DROP FUNCTION openactive_ready(assets);
DROP TABLE openactive_items;
DROP TABLE openactive_feeds;
DROP TABLE openactive_sources;
DROP INDEX assets_external_id;
ALTER TABLE assets
    DROP COLUMN external_id,
    DROP COLUMN levels,
    DROP COLUMN coached,
    DROP COLUMN attendee_instructions,
    DROP COLUMN accessibility_support,
    DROP COLUMN prepayment,
    DROP COLUMN attribution;
