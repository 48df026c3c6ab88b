// Lint: typescript-eslint's recommended rules on the sources, tests and scripts. Formatting is prettier's job.
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['dist/**', 'node_modules/**', 'results/**', 'coverage/**'] }, ...tseslint.configs.recommended, {
  rules: {
    // an unused binding is a leftover; a leading underscore says it is unused on purpose
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
  },
});
