DROP TABLE idempotency_keys;
DROP FUNCTION audit_snapshot(text, uuid);
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
