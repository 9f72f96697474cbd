import { z } from 'zod';
import { ALL_SCOPES, ROLES, type Scope } from './scopes.js';

export const scopeSchema = z
  .enum(ALL_SCOPES as [Scope, ...Scope[]])
  .describe('A permission; a role is a set of scopes.')
  .meta({ examples: ['services:read'] });

export const roleSchema = z.enum(ROLES).describe('admin: everything · operator: run the fleet · viewer: read only.');
