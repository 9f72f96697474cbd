import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@bastion/test-support/processes';
import { clusterEnv } from '../env.js';

const run = promisify(execFile);

/** A PostgreSQL server of the suite's own, in a temp dir: stopping it never disturbs the machine's. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server: `fast` disconnects clients and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data, once it accepts connections. */
  start(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): string;
  /** Stops it (if running) and deletes its files. */
  destroy(): Promise<void>;
}

function binDir(): string {
  if (clusterEnv.postgresBinDir) return clusterEnv.postgresBinDir;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(`No PostgreSQL server binaries under ${root}; install postgresql or set POSTGRES_BIN_DIR.`);
  return join(root, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` system user. */
function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as.');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * initdb + pg_ctl in a fresh temp dir, listening on 127.0.0.1 on a free port (socket in the same
 * dir), trust auth. `fsync=off`: the suite simulates server restarts and crashes, not power loss.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const user = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'bastion-cluster-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const port = await freePort();

  const pg = async (tool: string, args: string[]) => {
    try {
      await run(join(bin, tool), args, { cwd: dir, timeout: 60_000, ...(user ?? {}) });
    } catch (error) {
      throw new Error(`${tool} ${args.join(' ')} failed: ${(error as Error).message}\n${readLog()}`);
    }
  };
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const start = () => pg('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
  let running = false;

  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  await start();
  running = true;

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async (mode = 'fast') => {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    start: async () => {
      await start();
      running = true;
    },
    log: readLog,
    destroy: async () => {
      if (running) await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
