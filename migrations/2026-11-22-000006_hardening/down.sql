DROP TABLE idempotency_keys;
ALTER TABLE imports DROP COLUMN heartbeat_at;
DROP FUNCTION audit_snapshot(text, uuid);
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
