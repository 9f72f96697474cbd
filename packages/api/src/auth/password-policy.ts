/**
 * The password rule, apart from the hashing (passwords.ts loads a native argon2 module): the
 * users schema uses it, and the dashboard bundles that schema for its forms.
 */
export const MIN_PASSWORD_LENGTH = 12;
