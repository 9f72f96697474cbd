/** A demo account as apps/server prints it in demo mode. */
export interface DemoAccount {
  role: string;
  email: string;
  password: string;
}

/** A cookie of a signed-in session, as the server set it. */
export interface SessionCookie {
  name: string;
  value: string;
  httpOnly: boolean;
}

/**
 * The accounts in the server's start-up banner (apps/server/src/main.ts):
 *
 *     Demo accounts (sign in to the dashboard or at /docs → Authorize):
 *       admin     admin@demo.bastion       demo-admin-password
 */
export function parseDemoAccounts(log: string): DemoAccount[] {
  const start = log.indexOf('Demo accounts');
  if (start === -1) return [];
  const accounts: DemoAccount[] = [];
  for (const line of log.slice(start).split('\n').slice(1)) {
    const match = /^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s*$/.exec(line);
    if (!match) break;
    const [, role = '', email = '', password = ''] = match;
    accounts.push({ role, email, password });
  }
  return accounts;
}

/** Signs in at `POST /api/v1/auth/session` on `origin` and returns the cookies it set. */
export async function signInOverRest(origin: string, account: Pick<DemoAccount, 'email' | 'password'>): Promise<SessionCookie[]> {
  const response = await fetch(new URL('/api/v1/auth/session', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  if (!response.ok) throw new Error(`sign-in as ${account.email} at ${origin} → ${response.status}: ${await response.text()}`);
  const cookies = response.headers.getSetCookie().map((header) => {
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    return {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      httpOnly: attributes.some((a) => a.trim().toLowerCase() === 'httponly'),
    };
  });
  if (!cookies.some((c) => c.name === 'bastion_session')) throw new Error(`sign-in as ${account.email} set no session cookie`);
  return cookies;
}
