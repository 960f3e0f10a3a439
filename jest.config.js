const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // jose 6 and openid-client 6 ship ES modules only. Node 20 loads them through
  // require(esm), but Jest's module system on Node 20 cannot, so Jest transpiles them.
  'node_modules/(jose|openid-client|oauth4webapi)/.+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, isolatedModules: true } },
  ],
};
const transformIgnorePatterns = ['/node_modules/(?!(jose|openid-client|oauth4webapi)/)'];

module.exports = {
  // The e2e tier boots real servers and PostgreSQL clusters.
  testTimeout: 60000,
  // Test files spend most of their time waiting on sockets, PostgreSQL and child processes, so one worker more than
  // Jest's default (a core less than the machine has) keeps the cores busy: on two cores, two workers take the suite
  // from 196 s to 131 s. The browser and soak projects run in band (`--runInBand` in their scripts).
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
      transformIgnorePatterns,
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      transformIgnorePatterns,
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      // A minute of steady load against the gateway as its own process, watching its resident set: a timing-bound
      // test, kept out of `npm test` and run on its own (`npm run test:soak`), as CI does.
      displayName: 'soak',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/soak/**/*.soak-spec.ts'],
      transform,
      transformIgnorePatterns,
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      // Real Chromium (Debian's package, which .ci/run installs): `npm run test:browser`.
      displayName: 'browser',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      transform,
      transformIgnorePatterns,
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
