import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** apps/server: the working directory child servers run in (tsx resolves from here). */
export const SERVER_ROOT = resolve(import.meta.dirname, '../..');

export interface TsChild {
  child: ChildProcess;
  /** Everything the child wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Runs a TypeScript file under tsx in its own Node process and waits until a line of its stdout
 * satisfies `ready` (returning what `ready` extracted from it).
 */
export async function spawnTs<T>(
  file: string,
  options: { env?: NodeJS.ProcessEnv; ready: (line: string) => T | undefined; timeoutMs?: number },
): Promise<TsChild & { value: T }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: SERVER_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const { stdout } = child;
  const lines = createInterface({ input: stdout });
  const value = await new Promise<T>((resolvePromise, reject) => {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      reject(new Error(`${file} not ready after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      const found = options.ready(line);
      if (found !== undefined) {
        clearTimeout(timer);
        resolvePromise(found);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${String(code)} before it was ready:\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    await stop(1_000);
    throw error;
  });
  // Keep draining stdout so a chatty child never blocks on a full pipe.
  stdout.resume();
  return { child, value, stderr: () => stderr, stop };
}
