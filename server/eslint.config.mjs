import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** The ledger's write functions: only settlement (payment/) and the ledger may call them. */
const LEDGER_WRITES = {
  group: ['**/ledger', '**/ledger/*'],
  importNames: ['transfer', 'postPending', 'voidPending', 'reverse', 'createAdjustment', 'ledgerAccount'],
  message: 'Only settlement (modules/payment) posts money: add a named operation to payment.settlement.ts.',
};
/** The app wires modules together; a module never depends on that wiring. */
const APP_WIRING = {
  group: ['**/app', '**/app/*'],
  message: 'Modules do not import app/: take what you need through common/module.ts (Platform, DomainModule).',
};

/** Another module's files are private: import from its index.ts, its public face. */
const DEEP_IMPORT = {
  regex: '^\\.\\./[^/.]+/.+',
  message: "Import another module only from its index.ts (`'../payment'`), its public face.",
};

export default tseslint.config(
  { ignores: ['dist/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Tests read GraphQL responses as loose JSON on purpose: their assertions are the type check.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Module boundaries (docs/conventions.md): money is posted only by settlement (payment/) and the ledger itself,
    // and nothing under modules/ reaches up into the app's wiring.
    files: ['src/modules/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/modules/ledger/**', 'src/modules/payment/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LEDGER_WRITES, APP_WIRING, DEEP_IMPORT] }],
    },
  },
  {
    files: ['src/modules/payment/**/*.ts', 'src/modules/ledger/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [APP_WIRING, DEEP_IMPORT] }],
    },
  },
  {
    // Tests may reach into modules' files, but not into the app's wiring: the harness hands them what they need.
    files: ['src/modules/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [APP_WIRING] }],
    },
  },
  {
    // Server code logs through common/log.ts (JSON lines, request ids, secrets left out); only dev scripts print.
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/app/emit-schema.ts', 'src/app/create-migration.ts'],
    rules: { 'no-console': 'error' },
  },
  { files: ['eslint.config.mjs'], ...tseslint.configs.disableTypeChecked },
);
