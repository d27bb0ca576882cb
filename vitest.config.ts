import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // examples/ too: the README points users at them, so they run here and cannot rot.
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // e2e tests spawn the built CLI; two workers match this 2-core machine.
    maxWorkers: 2,
  },
});
