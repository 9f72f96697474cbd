import type { Metadata } from 'next';
import { RequireScopes } from '@/features/auth/access-gates';
import { TrafficView } from '@/features/traffic/traffic-view';

export const metadata: Metadata = { title: 'Traffic' };

export default function TrafficPage() {
  return (
    <RequireScopes scopes={['traffic:read']} what="traffic">
      <TrafficView />
    </RequireScopes>
  );
}
