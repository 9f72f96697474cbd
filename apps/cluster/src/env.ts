/**
 * The cluster suite's configuration, read once here:
 *   TEST_DATABASE_URL           the machine's PostgreSQL; the suite makes a database of its own there
 *   TEST_REDIS_URL / REDIS_URL  the machine's Redis
 *   (the suite runs only when both are set; `.ci/run` sets them)
 *   POSTGRES_BIN_DIR            where initdb/pg_ctl live, for the private PostgreSQL (default: newest
 *                               /usr/lib/postgresql/<version>/bin)
 *   CLUSTER_KEEP_LOGS=1         print every process's log at teardown
 */
export const clusterEnv = {
  databaseUrl: process.env.TEST_DATABASE_URL,
  redisUrl: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL,
  postgresBinDir: process.env.POSTGRES_BIN_DIR,
  keepLogs: process.env.CLUSTER_KEEP_LOGS === '1',
} as const;

/** True when the machine's engines are there to test against. */
export const clusterEnabled = Boolean(clusterEnv.databaseUrl && clusterEnv.redisUrl);
