// The published payload types (xsolla-hooks/types), the JSON Schemas and the printed TypeScript all come from the zod
// schemas the catalog is validated with. These tests fail when any of them drifts from the schemas or the catalog.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import { bodySchemaFor, bodySchemas } from "../../src/core/fixtures/schemas.js";
import { bodyJsonSchema, bodyTypeScript, SCHEMA_TYPES, typeNameOf } from "../../src/core/fixtures/json-schema.js";
import { XSOLLA_NOTIFICATION_TYPES } from "../../src/core/fixtures/known-types.js";
import type { OrderPaidWebhook, XsollaNotificationType, XsollaWebhook, XsollaWebhookByType } from "../../src/types.js";
import { ROOT } from "../helpers/cli.js";

const FIXTURES_DIR = join(ROOT, "fixtures");
const fixtures = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((file) => {
    const parsed = JSON.parse(readFileSync(join(FIXTURES_DIR, file), "utf8")) as { _meta: { type: string }; body: Record<string, unknown> };
    return { file, type: parsed._meta.type, body: parsed.body };
  });

describe("one source of truth", () => {
  it("every catalog type has a schema, and every schema a catalog type", () => {
    expect([...SCHEMA_TYPES].sort()).toEqual([...XSOLLA_NOTIFICATION_TYPES].sort());
    expect([...new Set(fixtures.map((f) => f.type))].sort()).toEqual([...SCHEMA_TYPES].sort());
  });

  it("the types' union is discriminated by exactly the catalog's notification_type values", () => {
    expectTypeOf<XsollaWebhook["notification_type"]>().toEqualTypeOf<(typeof XSOLLA_NOTIFICATION_TYPES)[number]>();
    expectTypeOf<XsollaNotificationType>().toEqualTypeOf<keyof typeof bodySchemas>();
    expectTypeOf<XsollaWebhookByType["order_paid"]>().toEqualTypeOf<OrderPaidWebhook>();
    // Narrowing works on the union.
    const narrow = (w: XsollaWebhook) => (w.notification_type === "order_paid" ? w.order.id : undefined);
    expectTypeOf(narrow).returns.toEqualTypeOf<number | string | undefined>();
  });
});

describe("JSON Schema (xsolla-hooks schema <type>)", () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validators = new Map(SCHEMA_TYPES.map((type) => [type, ajv.compile(bodyJsonSchema(type))]));

  it.each(fixtures.map((f) => [f.file, f] as const))("%s validates against its type's JSON Schema", (_file, fixture) => {
    const validate = validators.get(fixture.type as XsollaNotificationType);
    expect(validate, fixture.type).toBeDefined();
    expect(validate?.(fixture.body), JSON.stringify(validate?.errors)).toBe(true);
  });

  // The same body, broken in ways the zod schema refuses, must be refused by the JSON Schema too.
  it("refuses what zod refuses: each required field removed, ids of the wrong kind, a wrong notification_type", () => {
    let compared = 0;
    for (const fixture of fixtures) {
      const validate = validators.get(fixture.type as XsollaNotificationType);
      const zod = bodySchemaFor(fixture.type);
      const required = (bodyJsonSchema(fixture.type as XsollaNotificationType).required ?? []) as string[];
      const broken: Record<string, unknown>[] = required.map((key) =>
        Object.fromEntries(Object.entries(fixture.body).filter(([k]) => k !== key)),
      );
      broken.push({ ...fixture.body, notification_type: "something_else" });
      const transaction = fixture.body["transaction"];
      if (typeof transaction === "object" && transaction !== null)
        broken.push({ ...fixture.body, transaction: { ...transaction, id: "12ab" } });
      for (const body of broken) {
        expect(zod?.safeParse(body).success, `${fixture.file}: zod accepts ${JSON.stringify(body).slice(0, 80)}`).toBe(false);
        expect(validate?.(body), `${fixture.file}: JSON Schema accepts what zod refuses`).toBe(false);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  it("numbers Xsolla sends either way are accepted either way", () => {
    const payment = fixtures.find((f) => f.file === "payment.json")?.body as Record<string, Record<string, unknown>>;
    const validate = validators.get("payment");
    expect(validate?.({ ...payment, transaction: { ...payment["transaction"], id: "1048275613" } })).toBe(true);
    expect(validate?.({ ...payment, transaction: { ...payment["transaction"], id: 1048275613 } })).toBe(true);
  });
});

describe("TypeScript output (xsolla-hooks schema <type> --format ts)", () => {
  it("compiles, and each printed type is interchangeable with the type xsolla-hooks/types infers", () => {
    const dir = mkdtempSync(join(ROOT, ".tmp-schema-ts-"));
    try {
      const printed = SCHEMA_TYPES.map((t) => bodyTypeScript(t)).join("\n");
      const checks = SCHEMA_TYPES.map((t) => {
        const name = typeNameOf(t);
        return `export const to_${t}: Printed.${name} = null as unknown as Published.${name};\nexport const from_${t}: Published.${name} = null as unknown as Printed.${name};`;
      }).join("\n");
      writeFileSync(join(dir, "printed.ts"), printed);
      writeFileSync(
        join(dir, "check.ts"),
        `import type * as Printed from "./printed.js";\nimport type * as Published from "../src/types.js";\n${checks}\n`,
      );
      const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
      // JSON has no undefined, so the printed types say `field?: T`; zod's inference says `field?: T | undefined`.
      // Without exactOptionalPropertyTypes the two are the same type.
      const args = [
        "--noEmit",
        "--strict",
        "--skipLibCheck",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
      ];
      let output = "";
      try {
        execFileSync(process.execPath, [tsc, ...args, join(dir, "check.ts")], { cwd: ROOT, encoding: "utf8" });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output).toBe("");
      expect(printed).toContain("export type OrderPaidWebhook = {");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("xsolla-hooks/types at run time", () => {
  it("compiles to an empty module: importing it loads nothing, not even zod", () => {
    const compiled = readFileSync(join(ROOT, "dist", "types.js"), "utf8");
    expect(compiled.replace(/\/\/.*$/gm, "").trim()).toBe("export {};");
  });
});
