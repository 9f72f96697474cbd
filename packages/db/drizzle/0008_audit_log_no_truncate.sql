-- The row trigger of 0001 refuses UPDATE and DELETE, but TRUNCATE fires no row triggers: it needs
-- a statement-level one.
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
