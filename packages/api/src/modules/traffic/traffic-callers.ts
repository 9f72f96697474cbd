/** Counts of one caller in one bucket. */
export interface CallerCounts {
  requests: number;
  status4xx: number;
  status5xx: number;
  status429: number;
}

interface Slot extends CallerCounts {
  /** Requests the slot's previous holders made (Space-Saving's estimate error); ranks, never reported. */
  inherited: number;
}

/**
 * The busiest callers of one bucket in bounded memory (Space-Saving, Metwally et al. 2005): at most
 * `capacity` callers are tracked; a new caller arriving when all slots are taken replaces the
 * least busy one. A caller with more than 1/capacity of the bucket's requests is always tracked, so
 * a flood from one key or address is never lost among thousands of one-off addresses. Reported
 * counts start when the caller got its slot: exact for callers tracked all along, otherwise a lower
 * bound (never inflated, so an operator is not shown a one-off address as a flooder).
 */
export class TopCallers {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly capacity: number) {}

  record(caller: string, status: number): void {
    let slot = this.slots.get(caller);
    if (!slot) {
      const inherited = this.size >= this.capacity ? this.evictLeastBusy() : 0;
      slot = { requests: 0, status4xx: 0, status5xx: 0, status429: 0, inherited };
      this.slots.set(caller, slot);
    }
    slot.requests += 1;
    if (status >= 500) slot.status5xx += 1;
    else if (status >= 400) slot.status4xx += 1;
    if (status === 429) slot.status429 += 1;
  }

  get size(): number {
    return this.slots.size;
  }

  /** The `n` busiest callers, busiest first, with what they were counted. */
  top(n: number): (CallerCounts & { caller: string })[] {
    return [...this.slots]
      .sort(([a, x], [b, y]) => y.requests + y.inherited - (x.requests + x.inherited) || a.localeCompare(b))
      .slice(0, n)
      .map(([caller, { requests, status4xx, status5xx, status429 }]) => ({ caller, requests, status4xx, status5xx, status429 }));
  }

  /** Frees the slot with the smallest estimate and returns that estimate, which the newcomer inherits. */
  private evictLeastBusy(): number {
    let least: [string, number] | undefined;
    for (const [caller, slot] of this.slots) {
      const estimate = slot.requests + slot.inherited;
      if (!least || estimate < least[1]) least = [caller, estimate];
    }
    if (!least) return 0;
    this.slots.delete(least[0]);
    return least[1];
  }
}
