export { openDatabase, migrationsFolder } from './client.js';
export type { Database, DatabaseHandle, OpenDatabaseOptions, Schema } from './client.js';
export * as schema from './schema.js';
export { preparedFor, uuidArray } from './prepared.js';
export { coalescedByKeyFor, coalescedFor } from './coalesced.js';
export { credentialsVersion, keptByKeyFor, snapshotKeptByKeyFor, snapshotKeptFor } from './snapshot-kept.js';
export { batchedFor, jsonRecords, rowsOf, wellFormed } from './batched.js';
