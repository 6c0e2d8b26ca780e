// Lint rules for the whole workspace. The module boundaries are the architecture:
// apps never import apps, domain and contract libs stay free of transport and ORM code.
import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
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
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:platform', 'type:testing'] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts'] },
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
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', ...builtinModules], message: 'the console imports this lib in the browser: no Node modules' }] }],
    },
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
