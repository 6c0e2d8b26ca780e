// The console's web app: React, built into apps/console/dist/web (served by the console server).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./src/web'),
  base: '/',
  plugins: [react()],
  // The shared API types from their TypeScript source: the lib's build is CommonJS, which Vite
  // converts only under node_modules (a workspace lib resolves to libs/, outside it).
  resolve: { alias: { '@hitl/reviewer-api': here('../../libs/reviewer-api/src/index.ts') } },
  logLevel: 'warn',
  build: { outDir: here('./dist/web'), emptyOutDir: true, sourcemap: true },
  server: {
    // `npx vite --config apps/console/vite.config.mjs` during development, against the services on their usual ports.
    proxy: {
      '/api/escalation': { target: 'http://127.0.0.1:3002', rewrite: (p) => p.replace(/^\/api\/escalation/, '') },
      '/api/audit': { target: 'http://127.0.0.1:3003', rewrite: (p) => p.replace(/^\/api\/audit/, '') },
      '/api/calibrator': { target: 'http://127.0.0.1:3004', rewrite: (p) => p.replace(/^\/api\/calibrator/, '') },
    },
  },
});
