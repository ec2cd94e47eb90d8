DROP INDEX audit_events_changes;
ALTER TABLE audit_events DROP COLUMN txid;
