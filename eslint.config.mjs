// ESLint with typescript-eslint's recommended rules; formatting is Prettier's (npm run format).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "devTools/", "data/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // An `any` needs a reason: disable the rule on its line with a comment saying why.
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["bin/*.js", "*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
