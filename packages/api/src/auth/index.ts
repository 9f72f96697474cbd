/**
 * What the server needs from auth: build the runtime, resolve credentials into a principal, run
 * the token endpoint, bootstrap the first admin. Procedures import the modules directly.
 */
export { createAuthRuntime, type AuthOptions, type AuthRuntime } from './runtime.js';
export { authenticateAccessToken, authenticateApiKey, authenticateSession, generateApiKey } from './credentials.js';
export { exchangeToken, type GrantResult, type OAuthError, type TokenRequest, type TokenResponse } from './oauth.js';
export { ensureInitialAdmin, type InitialAdmin } from './bootstrap.js';
export { ANONYMOUS, type Principal } from './principal.js';
export { ALL_SCOPES, ROLE_SCOPES, SCOPES, type Role, type Scope } from './scopes.js';
export { hashPassword } from './passwords.js';
