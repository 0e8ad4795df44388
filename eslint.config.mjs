// `npm run check:promises`: the promise rules of typescript-eslint, and nothing else (prettier owns
// the layout, check:boundaries the imports). The store's port is asynchronous, so a call whose
// promise is dropped, or tested for truth, is the one mistake the compiler lets through: an auth
// check that is not awaited lets the request on (decision record 2026-12-07-async-store-port).
import tseslint from 'typescript-eslint';

export default tseslint.config({
  files: ['src/**/*.ts', 'bench/**/*.ts', 'faults/**/*.ts'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
  },
  linterOptions: { reportUnusedDisableDirectives: 'error' },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: {
    '@typescript-eslint/no-floating-promises': [
      'error',
      {
        // node:test's test() and describe() return promises the runner awaits
        allowForKnownSafeCalls: [
          { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
        ],
      },
    ],
    '@typescript-eslint/no-misused-promises': 'error',
    '@typescript-eslint/await-thenable': 'error',
  },
});
