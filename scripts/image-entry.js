#!/usr/bin/env node
// The image's entry point (copied to /app/service.js): runs the app named by its first
// argument, or by HITL_APP: router, escalation, audit, calibrator, gateway or console.
//   docker run hitl escalation
'use strict';
const { resolve } = require('node:path');

const MAINS = {
  router: 'apps/router/dist/main.js',
  escalation: 'apps/escalation/dist/main.js',
  audit: 'apps/audit/dist/main.js',
  calibrator: 'apps/calibrator/dist/main.js',
  gateway: 'apps/gateway/dist/main.js',
  console: 'apps/console/dist/server/main.js',
};

const name = process.argv[2] ?? process.env.HITL_APP;
if (!name || !Object.hasOwn(MAINS, name)) {
  console.error(`usage: service.js <${Object.keys(MAINS).join('|')}> (or HITL_APP); got ${JSON.stringify(name ?? null)}`);
  process.exit(64);
}
// What follows the name is the app's own arguments.
process.argv.splice(2, process.argv[2] === name ? 1 : 0);
require(resolve(__dirname, MAINS[name]));
