/** `/readyz` of one instance, bypassing nginx: its status, or 0 when nothing listens there. */
export async function readiness(instanceUrl: string): Promise<number> {
  try {
    const response = await fetch(`${instanceUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}
