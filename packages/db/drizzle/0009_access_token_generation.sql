ALTER TABLE "users" ADD COLUMN "access_token_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "kept_access_token_id" text;