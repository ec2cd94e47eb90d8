DROP FUNCTION audit_unrecorded_assets();
