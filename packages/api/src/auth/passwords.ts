import { hash, verify } from '@node-rs/argon2';

/**
 * OWASP Password Storage Cheat Sheet, argon2id: m ≥ 19 MiB, t ≥ 2, p = 1. The algorithm is the
 * library's default, argon2id (its `Algorithm` is a const enum, unusable under
 * verbatimModuleSyntax); bootstrap.test.ts ("passwords") asserts the PHC string says `$argon2id$`.
 */
export const ARGON2_OPTIONS = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** The PHC string of `password` (argon2id, fresh salt). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// Verified against when the account does not exist, so unknown and known accounts cost the same.
let dummyHash: Promise<string> | undefined;

/**
 * Whether `password` matches `phc`. With `phc` null (no such account, or disabled) it still runs a
 * full argon2 verification against a dummy hash and answers false: timing does not reveal accounts.
 */
export async function verifyPassword(phc: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('bastion-dummy-password-for-timing');
  const target = phc ?? (await dummyHash);
  let ok: boolean;
  try {
    ok = await verify(target, password);
  } catch {
    ok = false;
  }
  return ok && phc !== null;
}
