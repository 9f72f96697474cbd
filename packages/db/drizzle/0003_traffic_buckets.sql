CREATE TABLE "traffic_buckets" (
	"bucket_start" timestamp with time zone NOT NULL,
	"instance" text NOT NULL,
	"procedure" text NOT NULL,
	"requests" integer NOT NULL,
	"status_2xx" integer NOT NULL,
	"status_3xx" integer NOT NULL,
	"status_4xx" integer NOT NULL,
	"status_5xx" integer NOT NULL,
	"status_401" integer NOT NULL,
	"status_403" integer NOT NULL,
	"status_429" integer NOT NULL,
	"latency_counts" integer[] NOT NULL,
	CONSTRAINT "traffic_buckets_bucket_start_instance_procedure_pk" PRIMARY KEY("bucket_start","instance","procedure")
);
