CREATE TABLE "traffic_callers" (
	"bucket_start" timestamp with time zone NOT NULL,
	"instance" text NOT NULL,
	"caller" text NOT NULL,
	"requests" integer NOT NULL,
	"status_4xx" integer NOT NULL,
	"status_5xx" integer NOT NULL,
	"status_429" integer NOT NULL,
	CONSTRAINT "traffic_callers_bucket_start_instance_caller_pk" PRIMARY KEY("bucket_start","instance","caller")
);
