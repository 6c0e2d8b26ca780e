// Lint rules for the whole workspace. The module boundaries are the architecture:
// apps never import apps, domain and contract libs stay free of transport and ORM code,
// and every package a project imports is declared in its package.json.
import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import * as jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

const transportAndStorage = ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'rxjs', 'express'];

/** The module boundaries; a lib's own tests may also use what the specs share (type:testing). */
function boundaries({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        // type:testing holds what integration specs share; only tests import it.
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:platform', ...testing] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts'] },
        // The workspace's own package (root package.json): bench/, faults/, test/, scripts/ and
        // examples/ run hitl from outside. Any lib; an app only as a process, never its sources.
        { sourceTag: 'type:harness', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:platform', 'type:testing'] },
        // Platform libs are adapters: they may use the domain, never an app.
        { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:platform', ...testing] },
        {
          sourceTag: 'type:domain',
          onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', ...testing],
          bannedExternalImports: transportAndStorage,
        },
        {
          sourceTag: 'type:contracts',
          onlyDependOnLibsWithTags: [],
          bannedExternalImports: transportAndStorage,
        },
      ],
    },
  ];
}

/** Imports declared; `runtimeOnly`: packages a package needs without importing them. */
function dependencyChecks(runtimeOnly = []) {
  return [
    'error',
    {
      buildTargets: ['build'],
      checkMissingDependencies: true,
      checkObsoleteDependencies: true,
      checkVersionMismatches: true,
      ignoredDependencies: runtimeOnly,
      // Build tooling, not shipped code.
      ignoredFiles: ['{projectRoot}/vite.config.mjs', '{projectRoot}/scripts/**/*'],
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', 'coverage/**', '.infra/**', '.nx/**', 'tmp/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    // .tsx: the console's web app.
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The reviewer API's types run in the console's browser bundle too: zod, and nothing of Node's.
    files: ['libs/reviewer-api/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', ...builtinModules], message: 'the console imports this lib in the browser: no Node modules' }] },
      ],
    },
  },
  {
    // Every package an app or lib imports is declared in its package.json (Nx reads the
    // imports from its project graph), at a version the lockfile installs; the ranges are the
    // root package.json's (test/unit/module-boundaries.spec.ts). Specs and test/ are not
    // shipped: what they import is the workspace's (root package.json).
    files: ['apps/*/package.json', 'libs/*/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: { '@nx/dependency-checks': dependencyChecks() },
  },
  {
    // Loaded at run time, never imported: NestJS loads its HTTP platform and microservices
    // (NestFactory.create, connectMicroservice); nestjs-pino needs pino-http, @nestjs/common
    // reflect-metadata and rxjs.
    files: ['libs/service-kit/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['@nestjs/microservices', '@nestjs/platform-express', 'pino-http', 'reflect-metadata', 'rxjs']) },
  },
  {
    // Types only: its public declarations name pg, so an agent's TypeScript needs them (test/integration/packages.int-spec.ts).
    files: ['libs/agent-sdk/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['@types/pg']) },
  },
  {
    // libsodium, where it loads (createRequire): optional, Node's crypto otherwise.
    files: ['libs/contracts/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['sodium-native']) },
  },
  {
    // Tests may reach into any lib (never into another app).
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: true }),
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
