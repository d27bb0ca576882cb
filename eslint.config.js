// ESLint flat config. Formatting is Prettier's job (.prettierrc.json): no stylistic rules here.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

const CORE_IS_PURE = "src/core is pure: no I/O, no CLI. Do the I/O in src/adapters, src/server or src/cli and pass the result in.";

// Modules that src/core must not load, statically or with import(). Subpaths count too (node:fs/promises, undici/types...).
const forbiddenModules = ["node:fs", "fs", "node:http", "http", "node:https", "https", "node:net", "net", "undici", "chalk"];
const forbiddenSubpaths = /^(?:(?:node:)?(?:fs|http|https|net)|undici|chalk|@inquirer)\//;
const forbiddenInCore = /^(?:(?:node:)?(?:fs|http|https|net)|undici|chalk|@inquirer\/[^/]+)(?:\/.*)?$/;
// Relative paths from anywhere under src/core into src/cli (../cli/x.js, ../../cli/x.js), and into the other layers that
// do I/O: src/adapters, src/server, src/events-api.
const outsideCore = /^(?:\.\.\/)+(?:src\/)?(?:cli|adapters|server|events-api|runners)(?:\/|$)/;
// esquery regex literals cannot contain "/", so slashes are written as \u002F in the selectors below.
const esquery = (re) => re.source.replaceAll("\\/", "\\u002F");

export default defineConfig(
  globalIgnores(["dist/", "node_modules/", "coverage/", ".tmp/"]),

  {
    files: ["**/*.{js,mjs,cjs,ts,mts,cts}"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: { ...globals.node },
      // Type information comes from tsconfig.json (src, test, bench, vitest.config.ts).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // Interfaces here declare members as methods (`close(): Promise<void>`, Style's `ok(t)`) but are implemented with
      // closures and handed around as values (`close: listening.close`); the rule flags every such use. No class here has
      // methods that depend on `this` being bound, apart from Error subclasses.
      "@typescript-eslint/unbound-method": "off",
      // Rejecting with an AbortSignal's reason (typed `any`) is the Node idiom, as node:timers/promises does.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true }],
    },
  },

  // Tests read parsed JSON and XML reports as they come (typed any) and fake async interfaces with plain functions.
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/require-await": "off",
    },
  },

  // Plain JavaScript (bin/, bench/, this file) is outside tsconfig.json: lint it without type information.
  {
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
  },

  // The inspector page runs in the browser, not in Node.
  {
    files: ["assets/inspector/**/*.js"],
    languageOptions: { globals: { ...globals.browser }, sourceType: "script" },
  },

  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: forbiddenModules.map((name) => ({ name, message: CORE_IS_PURE })),
          patterns: [
            { regex: forbiddenSubpaths.source, message: CORE_IS_PURE },
            { regex: outsideCore.source, message: CORE_IS_PURE },
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: `ImportExpression[source.value=/${esquery(forbiddenInCore)}/]`,
          message: CORE_IS_PURE,
        },
        {
          selector: `ImportExpression[source.value=/${esquery(outsideCore)}/]`,
          message: CORE_IS_PURE,
        },
        {
          selector: `CallExpression[callee.property.name="getBuiltinModule"][arguments.0.value=/${esquery(forbiddenInCore)}/]`,
          message: CORE_IS_PURE,
        },
      ],
    },
  },
);
