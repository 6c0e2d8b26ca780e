#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCli } from './program';

runCli(process.argv.slice(2), {
  io: { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  readText: (path) => readFileSync(path, 'utf8'),
  now: () => new Date(),
  env: process.env,
}).then(
  // exitCode rather than exit(): let piped output drain first.
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hitl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
