import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, recentOutput, startProcess, stopProcess } from '@bastion/test-support/processes';

export interface NginxOptions {
  /** Where nginx listens (always 127.0.0.1). */
  port: number;
  /** The instances' ports on 127.0.0.1. */
  upstreams: readonly number[];
  /**
   * How long nginx keeps an idle upstream connection (s). Must be shorter than the instances'
   * BASTION_SHUTDOWN_DRAIN_MS: by the end of a drain every connection was either used (and closed by
   * the instance's `Connection: close`) or idled out by nginx, so none is left to race with the close.
   */
  keepaliveTimeoutS: number;
}

/**
 * The load balancer in front of the instances: the same shape as the README's deployment snippet,
 * plus the paths that keep an unprivileged nginx inside `dir`.
 */
export function nginxConfig(options: NginxOptions, dir: string): string {
  const servers = options.upstreams.map((port) => `    server 127.0.0.1:${port} max_fails=0;`).join('\n');
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }

http {
  log_format upstream '$request_method $uri $status upstream=$upstream_addr upstream_status=$upstream_status time=$request_time';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server_tokens off;

  upstream bastion {
    # max_fails=0: no passive marking. A stopped instance refuses connections at once, so nginx moves on
    # to the next one without it; marking would instead turn "every instance answers 503 (database
    # down)" into nginx's own 502 "no live upstreams", and delay a restarted instance's return.
${servers}
    keepalive 32;
    # Shorter than the instances' keep-alive (72 s): nginx, not the instance, closes idle connections.
    # And shorter than their shutdown drain: no idle connection outlives a drain.
    keepalive_timeout ${options.keepaliveTimeoutS}s;
  }

  server {
    listen 127.0.0.1:${options.port};
    client_max_body_size 1m;

    location / {
      proxy_pass http://bastion;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      # Longer than BASTION_REQUEST_TIMEOUT_MS (15 s): the instance's own 503 arrives first.
      proxy_read_timeout 30s;
      # Another instance gets the request when this one refuses, resets, times out or sheds (502/503).
      # "non_idempotent" lets that include POST/PATCH: an instance closing its listener resets the
      # connections still in its accept queue, some carrying a write it never read. One it did read is
      # finished before the instance exits (the drain), so a retried write was not applied — unless the
      # instance crashed mid-request; writers that must never apply twice send an Idempotency-Key.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 2;
      proxy_next_upstream_timeout 10s;
    }
  }
}
`;
}

export interface Nginx {
  url: string;
  /** nginx's access log: one line per request with the instance(s) that answered it. */
  accessLog(): string;
  log(): string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: Child, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`nginx exited with ${child.process.exitCode}:\n${recentOutput(child)}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        done(true);
      });
      socket.once('error', () => {
        done(false);
      });
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx not listening on ${port}:\n${recentOutput(child)}`);
}

/** Starts nginx in the foreground with a generated config in a temp dir; `stop()` removes the dir. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-cluster-nginx-'));
  // Started as root, nginx's worker runs as `nobody` and must reach its temp paths in here.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(options, dir));
  const binary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((path) => existsSync(path)) ?? 'nginx';
  const child = startProcess('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    command: binary,
    cwd: dir,
    env: process.env,
  });
  await waitForPort(options.port, child);
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
  return {
    url: `http://127.0.0.1:${options.port}`,
    accessLog: () => read('access.log'),
    // Refused connections are routine while an instance restarts (nginx moves on); the other errors
    // are the ones that explain a failed request, so they come first and are never cut off.
    log: () => {
      const lines = read('error.log').split('\n');
      const unusual = lines.filter((line) => line.includes('[error]') && !line.includes('connect() failed (111'));
      return `${recentOutput(child)}${unusual.join('\n')}\n${lines.join('\n').slice(-2000)}`;
    },
    stop: async () => {
      // SIGQUIT: nginx's graceful stop.
      await stopProcess(child, { signal: 'SIGQUIT', graceMs: 5_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
