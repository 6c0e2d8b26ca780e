#!/usr/bin/env node
// The `hitl` command: the built CLI (npm links this file on install, before any build).
try {
  require.resolve('../dist/main.js');
} catch {
  console.error('hitl: the CLI is not built yet; run `npm run build` first');
  process.exit(2);
}
require('../dist/main.js');
