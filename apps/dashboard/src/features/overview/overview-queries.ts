/** The overview's heartbeat strip: 24 hours in 30-minute intervals. */
export const OVERVIEW_STRIP = { hours: 24, buckets: 48 } as const;
