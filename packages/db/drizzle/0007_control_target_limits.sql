CREATE TABLE "control_target_limits" (
	"target" text PRIMARY KEY NOT NULL,
	"per_minute" integer NOT NULL,
	"reason" text,
	"changed_by_kind" text NOT NULL,
	"changed_by_id" text,
	"changed_by_label" text,
	"changed_at" timestamp with time zone NOT NULL
);
