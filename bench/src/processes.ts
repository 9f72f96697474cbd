import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every process the harness started and has not stopped yet; `stopAll` ends them on any exit. */
const running = new Set<ChildProcess>();

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  port: number;
  /** CPU list for taskset (the server's core). */
  cpu: string;
  /** Headers every load-generator request to this server carries (credentials). */
  headers?: Record<string, string>;
}

export interface RunningServer {
  spec: ServerSpec;
  child: ChildProcess;
  pid: number;
  /** Wall-clock ms from spawn to the first `/readyz` 200. */
  readyAfterMs: number;
  /** The last lines the server wrote, for error messages. */
  log: () => string;
}

/**
 * Starts a server pinned with `taskset` (which execs, so the pid is the server's own) in its own
 * process group, and resolves once `GET /readyz` answers 200 on 127.0.0.1.
 */
export async function startServer(spec: ServerSpec, timeoutMs = 60_000): Promise<RunningServer> {
  const started = performance.now();
  const child = spawn('taskset', ['-c', spec.cpu, spec.command, ...spec.args], {
    cwd: spec.cwd,
    env: spec.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('exit', () => {
    running.delete(child);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not spawn ${spec.command}`);

  const url = `http://127.0.0.1:${spec.port}/readyz`;
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${spec.name} exited before it was ready:\n${tail}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) {
        return { spec, child, pid, readyAfterMs: performance.now() - started, log: () => tail };
      }
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  await stopServer({ spec, child, pid, readyAfterMs: Number.NaN, log: () => tail });
  throw new Error(`${spec.name} was not ready within ${timeoutMs} ms:\n${tail}`);
}

/** SIGTERM to the server's process group, SIGKILL after 5 s; resolves when it has exited. */
export async function stopServer(server: RunningServer): Promise<void> {
  const { child, pid } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    signalGroup(pid, 'SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Ends every process still running, synchronously (safe in an `exit` handler). */
export function stopAll(): void {
  for (const child of running) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  running.clear();
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const TICKS_PER_SECOND = 100;

/** User + system CPU time a process has used so far, in µs (from /proc/<pid>/stat). */
export function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

/**
 * User + system CPU time every PostgreSQL process on this machine has used so far, in µs: the
 * database's share of a run's cost (its backends serve one server at a time in `bench:ab`).
 */
export function postgresCpuUs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuTimeUs(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** Installs handlers so that Ctrl-C, a kill or a crash still ends every server the harness started. */
export function installCleanup(): void {
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(130);
    });
  }
  process.once('uncaughtException', (error) => {
    stopAll();
    console.error(error);
    process.exit(1);
  });
}

/**
 * Waits until a server has worked off the requests the last load left queued (wrk stops sending,
 * the server does not stop answering): until it uses under 5% of a core over 250 ms, 15 s at most.
 */
export async function settle(pid: number, maxMs = 15_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  let before = cpuTimeUs(pid);
  while (performance.now() < deadline) {
    await sleep(250);
    const now = cpuTimeUs(pid);
    if (now - before < 0.05 * 250_000) return;
    before = now;
  }
}
