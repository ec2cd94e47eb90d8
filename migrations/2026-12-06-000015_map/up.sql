-- The map's tile cache drops the tiles a change touched, reading the asset and venue entries of
-- the audit log by transaction id: venue entries need an index of their own (a moved venue moves
-- every asset held there).
CREATE INDEX audit_events_venue_changes ON audit_events (txid, id) WHERE entity_type = 'venue';
