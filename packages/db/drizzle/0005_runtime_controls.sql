CREATE TYPE "public"."control_block_kind" AS ENUM('user', 'apiKey', 'ip');--> statement-breakpoint
CREATE TYPE "public"."control_switch_state" AS ENUM('off', 'read-only');--> statement-breakpoint
CREATE TABLE "control_blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "control_block_kind" NOT NULL,
	"value" text NOT NULL,
	"reason" text,
	"expires_at" timestamp with time zone,
	"changed_by_kind" text NOT NULL,
	"changed_by_id" text,
	"changed_by_label" text,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "control_blocks_kind_value_unique" UNIQUE("kind","value")
);
--> statement-breakpoint
CREATE TABLE "control_switches" (
	"target" text PRIMARY KEY NOT NULL,
	"state" "control_switch_state" NOT NULL,
	"reason" text,
	"retry_after_seconds" integer NOT NULL,
	"changed_by_kind" text NOT NULL,
	"changed_by_id" text,
	"changed_by_label" text,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "controls_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"rate_limits" jsonb,
	"rate_limits_changed_by_kind" text,
	"rate_limits_changed_by_id" text,
	"rate_limits_changed_by_label" text,
	"rate_limits_changed_at" timestamp with time zone
);
