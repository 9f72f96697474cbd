import type { Role } from '@bastion/api/scopes';

/** One line per role, for the invite form and the role picker. */
export const ROLE_DESCRIPTION: Record<Role, string> = {
  admin: 'Everything, including users and the audit log.',
  operator: 'Runs the fleet: services, heartbeats, incidents, API keys.',
  viewer: 'Reads services and incidents; changes nothing.',
};
