import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.json' });
const shared = {
  ...preset,
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** Tiers: unit (pure, fast), integration (local HTTPS emulators, bundled entry points), cluster (real control plane). */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts', '<rootDir>/__tests__/harness/emulators/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'cluster',
      testMatch: [
        '<rootDir>/__tests__/cluster/**/*.test.ts',
        '<rootDir>/__tests__/harness/cluster/**/*.test.ts',
        '<rootDir>/__tests__/act/**/*.test.ts',
      ],
    },
  ],
};
