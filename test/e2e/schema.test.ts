// `xsolla-hooks schema`: the printed JSON Schema and TypeScript come from the catalog's zod schemas (their agreement with
// the fixtures is in test/core/payload-schemas.test.ts); here, what the command prints and how it refuses.
import { describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";

const context = (result: CliResult) => `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

describe("xsolla-hooks schema", () => {
  it("prints a type's JSON Schema (draft 2020-12) on stdout, nothing on stderr", async () => {
    const result = await runCli(["schema", "order_paid"]);
    expect(result.code, context(result)).toBe(0);
    expect(result.stderr).toBe("");
    const schema = JSON.parse(result.stdout);
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "OrderPaidWebhook",
      type: "object",
      properties: { notification_type: { const: "order_paid" } },
      required: expect.arrayContaining(["notification_type", "items", "order", "user"]),
    });
  });

  it("--format ts prints the TypeScript type; --list names every type", async () => {
    const ts = await runCli(["schema", "refund", "--format", "ts"]);
    expect(ts.code, context(ts)).toBe(0);
    expect(ts.stdout).toMatch(/^export type RefundWebhook = \{\n {2}notification_type: "refund";$/m);
    const list = await runCli(["schema", "--list"]);
    expect(list.stdout.trim().split("\n")).toHaveLength(20);
  });

  it.each([
    [["schema", "paymnt"], 'error: unknown webhook type "paymnt" (did you mean payment? (see: xsolla-hooks schema --list))\n'],
    [
      ["schema", "order_paid.separate"],
      'error: unknown webhook type "order_paid.separate" (did you mean order_paid? (see: xsolla-hooks schema --list))\n',
    ],
    [
      ["schema", "constructor"],
      'error: unknown webhook type "constructor" (see: xsolla-hooks schema --list (a --fixtures-dir type has no schema))\n',
    ],
  ])("%j → one line, exit 2", async (argv, line) => {
    const result = await runCli(argv);
    expect(result.code, context(result)).toBe(2);
    expect(result.stderr).toBe(line);
    expect(result.stdout).toBe("");
  });
});
