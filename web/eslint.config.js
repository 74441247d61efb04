// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Why views, UI components and device state may not import the Yjs packages. */
const ONE_WAY =
  'Views and UI components never touch the Yjs document: read through the selectors and write through the mutations in src/board/ (connections live in src/sync/).';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Card text and every other user string must reach the DOM as text.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Render user content with textContent or JSX text.' },
        { property: 'outerHTML', message: 'Render user content with textContent or JSX text.' },
        { property: 'insertAdjacentHTML', message: 'Render user content with textContent or JSX text.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Render user content as text, never as HTML.',
        },
      ],
    },
  },
  {
    // One-way data flow: views, UI components and the device state they
    // keep read through the selectors and write through the typed mutations
    // in src/board/; only src/board/ and src/sync/ touch the Yjs document
    // and its providers. (Tests, and the helpers they share, may build
    // documents to check the views against.)
    files: ['src/views/**/*.{ts,tsx}', 'src/ui/**/*.{ts,tsx}', 'src/device/**/*.{ts,tsx}'],
    ignores: ['**/*.test.{ts,tsx}', 'src/views/test-helpers.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['yjs', 'y-websocket', 'y-indexeddb', 'y-protocols'].map((name) => ({
            name,
            message: ONE_WAY,
          })),
          patterns: [
            {
              group: ['yjs/*', 'y-websocket/*', 'y-indexeddb/*', 'y-protocols/*', 'lib0', 'lib0/*'],
              message: ONE_WAY,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
