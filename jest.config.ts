// Three speeds: unit specs sit next to the code and need nothing running; integration
// specs (test/integration/*.int-spec.ts) use the real Kafka broker and PostgreSQL.
import type { Config } from 'jest';

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared: Config = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc as never },
  moduleNameMapper: { '^@hitl/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts' },
  rootDir: __dirname,
};

const config: Config = {
  // Two workers, not jest's cores - 1 (one on a 2-core CI machine, and then every spec in one
  // process): the integration specs mostly wait on the broker, PostgreSQL and the services
  // they start. npm test took 514 s on two workers against about 1 000 s in one (2026-12-06,
  // 2 cores). Specs that compare global state keep to their own database, topics and timers.
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{apps,libs}/*/src/**/*.spec.ts',
        '<rootDir>/{apps,libs}/*/test/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
        '<rootDir>/faults/**/*.spec.ts',
        '<rootDir>/examples/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.int-spec.ts', '<rootDir>/test/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts', '<rootDir>/test/support/kafka-clients.ts'],
    },
  ],
};

export default config;
