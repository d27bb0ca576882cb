// `schema`: a catalog type's body as JSON Schema or as a TypeScript type, generated from the zod schema the catalog is
// validated with, so handlers in any language can validate bodies or generate code.
import { Option } from "../commander.js";
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { bool, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";

export const SCHEMA_FORMATS = ["json-schema", "ts"] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

export interface SchemaOptions {
  type: string | undefined;
  format: SchemaFormat;
  list: boolean;
}

export const command = defineCommand<SchemaOptions>({
  path: ["schema"],
  declare: (command) =>
    command
      .argument("[type]", "webhook type (notification_type, see --list)")
      .addOption(new Option("--format <format>", "output format").choices([...SCHEMA_FORMATS]).default("json-schema"))
      .option("--list", "list the types that have a schema")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks schema payment > payment.schema.json",
          "xsolla-hooks schema order_paid --format ts",
          "xsolla-hooks schema --list",
        ) + '\nThe TypeScript types are also published: import type { OrderPaidWebhook } from "xsolla-hooks/types".\n',
      ),
  parse: ({ opts, args }) => {
    const type = str(args[0]);
    const list = bool(opts.list);
    if (list && type !== undefined) throw new UsageError(`--list takes no type (got "${type}")`);
    if (!list && type === undefined)
      throw new UsageError("missing webhook type", { hint: "e.g. xsolla-hooks schema payment; see: xsolla-hooks schema --list" });
    return { type, format: (str(opts.format) ?? "json-schema") as SchemaFormat, list };
  },
  run,
});

async function run(options: SchemaOptions, io: Io): Promise<number> {
  const { SCHEMA_TYPES, isSchemaType, bodyJsonSchema, bodyTypeScript } = await import("../../core/fixtures/json-schema.js");
  if (options.list) {
    io.stdout.write(`${SCHEMA_TYPES.join("\n")}\n`);
    return ExitCode.Ok;
  }
  const type = options.type as string;
  if (!isSchemaType(type)) {
    const { closestName } = await import("../../core/fixtures/catalog.js");
    // order_paid.separate: schemas are per notification_type; both variants share one.
    const base = type.split(".", 1)[0] as string;
    const suggestion = isSchemaType(base) ? base : closestName(type, SCHEMA_TYPES);
    throw new UsageError(`unknown webhook type "${type}"`, {
      code: ErrorCode.UnknownFixture,
      hint: suggestion
        ? `did you mean ${suggestion}? (see: xsolla-hooks schema --list)`
        : "see: xsolla-hooks schema --list (a --fixtures-dir type has no schema)",
    });
  }
  io.stdout.write(options.format === "ts" ? bodyTypeScript(type) : `${JSON.stringify(bodyJsonSchema(type), null, 2)}\n`);
  return ExitCode.Ok;
}
