#!/usr/bin/env node
// Tiny shim: the published CLI runs compiled JavaScript from dist/.
const { enableCompileCache } = process.getBuiltinModule?.("node:module") ?? {};
// Node >= 22.1 caches compiled code between runs; Node 20 has no such API and skips this.
enableCompileCache?.();
await import("../dist/cli/main.js");
