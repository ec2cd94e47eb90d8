-- The change feed (GET /v1/changes) reads asset entries of the audit log in the order of the
-- transactions that wrote them. Sequence numbers are handed out before commit, so a reader
-- going by id alone could pass an entry whose transaction commits later and never see it.
-- Each entry records its transaction id; the feed serves only entries of transactions older
-- than the oldest still running (pg_snapshot_xmin), ordered by (txid, id): nothing can later
-- appear behind a position already served.
ALTER TABLE audit_events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_changes ON audit_events (txid, id) WHERE entity_type = 'asset';
