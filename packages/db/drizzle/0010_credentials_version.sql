CREATE TABLE "credentials_version" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "credentials_version" ("id", "version") VALUES (1, 0);--> statement-breakpoint
-- An upsert, so a missing row is put back rather than a change going unannounced. Statement-level:
-- one bump per statement however many rows it touched, and TRUNCATE (which fires no row triggers) too.
CREATE FUNCTION "credentials_version_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "credentials_version" ("id", "version") VALUES (1, 1)
  ON CONFLICT ("id") DO UPDATE SET "version" = "credentials_version"."version" + 1;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "users_bump_credentials_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "credentials_version_bump"();--> statement-breakpoint
CREATE TRIGGER "api_keys_bump_credentials_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "credentials_version_bump"();
