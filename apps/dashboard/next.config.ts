import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // @bastion/api exports TypeScript source (its zod schemas are shared with the forms).
  transpilePackages: ['@bastion/api'],
  reactStrictMode: true,
  poweredByHeader: false,
  // tRPC and REST answers are the API's own; never append a slash to them.
  skipTrailingSlashRedirect: true,
  /**
   * packages/api is Node ESM TypeScript: its relative imports name the compiled `.js` file
   * (`'../../common/pagination.js'` for `pagination.ts`). Webpack maps those back to the source;
   * Turbopack cannot yet (vercel/next.js#82945), which is why the scripts pass `--webpack`.
   */
  webpack(config: { resolve: { extensionAlias?: Record<string, string[]> } }) {
    config.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] };
    return config;
  },
};

export default nextConfig;
