import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Whether nothing listens on 127.0.0.1:`port` right now (0 = let the OS choose; resolves to the port or null). */
function tryListen(port: number): Promise<number | null> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => {
      done(null);
    });
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        done(typeof address === 'object' && address ? address.port : null);
      });
    });
  });
}

/** The kernel's range for outgoing connections' local ports (Linux), or undefined elsewhere. */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low && high ? [low, high] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A port free on 127.0.0.1 right now, chosen below the kernel's ephemeral range where it can: a
 * port the OS hands out for `listen(0)` is also one it hands to outgoing connections, which can take
 * it before the child process binds it, or while a restarted process is down (EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  const low = ephemeralRange()?.[0];
  if (low !== undefined && low > 11_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = 10_000 + Math.floor(Math.random() * (low - 10_000));
      if ((await tryListen(candidate)) !== null) return candidate;
    }
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free port');
  return port;
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** The last chunks the child wrote to stdout and stderr, for failure messages. */
  log: string[];
  /** Resolves with the exit code (null when a signal ended it) once the child has exited. */
  exited: Promise<number | null>;
}

/** The tail of what a child printed, for an error message. */
export function recentOutput(child: Child, chars = 4000): string {
  return child.log.join('').slice(-chars);
}

/**
 * Starts `command` in its own process group, so {@link stopProcess} reaches it and its children.
 * Defaults to running a Node script: `startProcess('server', [cli, 'main.ts'], …)`.
 */
export function startProcess(
  name: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; command?: string },
): Child {
  const child = spawn(options.command ?? process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 400) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      done(code);
    });
    // A command that cannot start at all (ENOENT) emits `error` and never `exit`.
    child.once('error', (error) => {
      log.push(`could not start ${name}: ${error.message}\n`);
      done(null);
    });
  });
  return { name, process: child, log, exited };
}

/**
 * Sends `signal` (default SIGTERM) to the child's process group and waits for it to exit, with
 * SIGKILL after `graceMs`. Resolves with the exit code (null after a kill by signal).
 */
export async function stopProcess(
  child: Child,
  options: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<number | null> {
  const { pid, exitCode, signalCode } = child.process;
  if (pid === undefined || exitCode !== null || signalCode !== null) return exitCode;
  try {
    process.kill(-pid, options.signal ?? 'SIGTERM');
  } catch {
    return child.exited;
  }
  const timeout = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.graceMs ?? 10_000);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timeout);
  }
}

/** Polls `url` until it answers 2xx; fails early when the child dies, or after `timeoutMs`. */
export async function waitForHttp(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`${child.name} exited with ${child.process.exitCode}:\n${recentOutput(child)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms:\n${recentOutput(child)}`);
}
