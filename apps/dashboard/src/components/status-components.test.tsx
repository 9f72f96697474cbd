import type { StripBucket } from '@bastion/api/heartbeats/schema';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { describeStrip, HeartbeatStrip } from './heartbeat-strip';
import { StatusBadge } from './status-badges';

afterEach(cleanup);

function bucket(start: string, status: StripBucket['status']): StripBucket {
  const counts = { up: 0, degraded: 0, down: 0 };
  if (status !== 'missing') counts[status] = 1;
  return { start, status, ...counts };
}

describe('StatusBadge', () => {
  it('names the status in words, coloured by status', () => {
    render(<StatusBadge status="major_outage" />);
    const badge = screen.getByText('Major outage');
    expect(badge.dataset.status).toBe('major_outage');
    expect(badge.className).toContain('text-status-major-fg');
  });
});

describe('HeartbeatStrip', () => {
  const buckets = [
    bucket('2025-06-01T10:00:00.000Z', 'up'),
    bucket('2025-06-01T10:30:00.000Z', 'missing'),
    bucket('2025-06-01T11:00:00.000Z', 'degraded'),
    bucket('2025-06-01T11:30:00.000Z', 'down'),
  ];

  it('draws one cell per interval in the colour of its worst heartbeat', () => {
    const { container } = render(<HeartbeatStrip buckets={buckets} bucketSeconds={1800} />);
    const cells = [...container.querySelectorAll<HTMLElement>('[data-bucket]')];
    expect(cells.map((c) => c.dataset.bucket)).toEqual(['up', 'missing', 'degraded', 'down']);
    expect(cells[3]?.className).toContain('bg-status-major');
    expect(cells[1]?.className).toContain('bg-status-missing');
  });

  it('reads as one image whose label counts the intervals', () => {
    render(<HeartbeatStrip buckets={buckets} bucketSeconds={1800} />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(describeStrip(buckets, 1800));
    expect(describeStrip(buckets, 1800)).toBe(
      'Heartbeats over the last 2h, in 30m intervals: 1 up, 1 degraded, 1 down, 1 without data.',
    );
  });
});
