import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, freePort, recentOutput, startProcess, stopProcess } from '@bastion/test-support/processes';

/** A Redis server of the suite's own: killing it never disturbs the machine's. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** SIGKILL: the server vanishes mid-conversation, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** Resolves once a PING on `port` gets `+PONG`. */
async function waitForPong(port: number, child: Child, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`redis-server exited:\n${recentOutput(child)}`);
    const pong = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(1_000, () => socket.destroy());
      socket.once('error', () => {
        done(false);
      });
      socket.once('close', () => {
        done(false);
      });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        done(data.toString().startsWith('+PONG'));
        socket.end();
      });
    });
    if (pong) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server not answering on ${port}:\n${recentOutput(child)}`);
}

/** `redis-server` on 127.0.0.1 and a free port, persisting nothing. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-cluster-redis-'));
  const port = await freePort();
  let child: Child | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const started = startProcess('redis-server', args, { command: 'redis-server', cwd: dir, env: process.env });
    child = started;
    await waitForPong(port, started);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      if (child) await stopProcess(child, { signal: 'SIGKILL' });
    },
    start,
    destroy: async () => {
      if (child) await stopProcess(child, { signal: 'SIGKILL' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
