// xsolla-hooks.config.json for `test`: one zod schema, and one function that applies the precedence
// flags > environment > file > defaults. zod is loaded only by the commands that read a config.
import { z } from "zod";
import { ErrorCode, UsageError } from "./errors.js";
import type { SetOverride } from "./fixtures/overrides.js";
import { parseStatusList } from "./expectation.js";
import { REPORTERS, type ReporterName } from "./contract/reporters.js";
import { DEFAULT_BUDGET_MS } from "./contract/plan.js";
import { resolveTarget } from "./settings.js";

export { CONFIG_FILE_NAME } from "./settings.js";

const statusList = z.string().refine((text) => {
  try {
    parseStatusList(text);
    return true;
  } catch {
    return false;
  }
}, "expected status codes or classes such as 204 or 200,204 or 2xx");

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const NAME_MESSAGE = "expected a name that starts with a letter and uses letters, digits, - and _";

/** One step of a custom flow (README: Flows). */
const FlowStepSchema = z.strictObject({
  id: z.string().regex(NAME, NAME_MESSAGE).optional(),
  type: z.string().min(1),
  title: z.string().optional(),
  drop: z.array(z.string().min(1)).optional(),
  set: z
    .record(
      z.string().min(1),
      z.union([
        z.strictObject({ from: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*\..+$/, 'expected "<earlier step id>.<path>"') }),
        z.json(),
      ]),
    )
    .optional(),
  expect: statusList.optional(),
  reject: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "expected an Xsolla error code such as INVALID_USER")
    .optional(),
  effect: z.enum(["grant", "revoke", "partial", "none", "unjudged"]).optional(),
  dependsOn: z.string().regex(NAME, NAME_MESSAGE).optional(),
});

export const CustomFlowSchema = z.strictObject({
  description: z.string().optional(),
  steps: z.array(FlowStepSchema).min(1).max(100),
});
export type CustomFlowConfig = z.infer<typeof CustomFlowSchema>;

export const ConfigFileSchema = z.strictObject({
  $schema: z.string().optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  secret: z.string().min(1).optional(),
  secretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected the name of an environment variable")
    .optional(),
  types: z.union([z.literal("all"), z.array(z.string().min(1)).min(1)]).optional(),
  users: z.strictObject({ valid: z.string().min(1).optional(), unknown: z.string().min(1).optional() }).optional(),
  overrides: z.record(z.string(), z.record(z.string(), z.json())).optional(),
  expectations: z.record(z.string(), statusList).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  budgetMs: z.number().int().min(1).max(600_000).optional(),
  strict: z.boolean().optional(),
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "expected a header name"), z.string()).optional(),
  reporter: z.enum(REPORTERS).optional(),
  stateProbe: z.string().min(1).optional(),
  output: z.string().min(1).optional(),
  flows: z.record(z.string().regex(NAME, NAME_MESSAGE), CustomFlowSchema).optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Parses a config document, with one message per bad field naming its path. */
export function parseConfigFile(value: unknown, source: string): ConfigFile {
  const result = ConfigFileSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(top level)"}: ${issue.message}`);
  throw new UsageError(`invalid config ${source}: ${problems.join("; ")}`, { code: ErrorCode.BadInput });
}

export interface ContractFlags {
  url?: string | undefined;
  secret?: string | undefined;
  types?: string | undefined;
  strict?: boolean | undefined;
  budget?: number | undefined;
  timeout?: number | undefined;
  reporter?: string | undefined;
  output?: string | undefined;
  validUser?: string | undefined;
  unknownUser?: string | undefined;
  headers?: Record<string, string> | undefined;
  stateProbe?: string | undefined;
}

export interface ResolvedContractConfig {
  url: string | undefined;
  secret: string | undefined;
  /** Where the secret came from, for messages (never the secret itself). */
  secretSource: string;
  types: string[] | "all" | undefined;
  strict: boolean;
  budgetMs: number;
  timeoutMs: number;
  reporter: ReporterName;
  output: string | undefined;
  users: { valid?: string; unknown?: string };
  overrides: Record<string, SetOverride[]>;
  expectations: Record<string, string>;
  headers: Record<string, string>;
  stateProbe: string | undefined;
}

const first = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

export function resolveContractConfig(input: {
  flags: ContractFlags;
  env: Record<string, string | undefined>;
  file?: ConfigFile | undefined;
}): ResolvedContractConfig {
  const { flags, env } = input;
  const file = input.file ?? {};
  const target = resolveTarget({
    flags: { url: flags.url, secret: flags.secret, headers: flags.headers, timeoutMs: flags.timeout },
    env,
    file,
  });

  const reporter = first(flags.reporter, file.reporter) ?? "pretty";
  if (!(REPORTERS as readonly string[]).includes(reporter))
    throw new UsageError(`unknown reporter "${reporter}"`, { hint: `use ${REPORTERS.join(", ")}` });
  const typesFlag =
    flags.types === undefined
      ? undefined
      : flags.types === "all"
        ? "all"
        : flags.types
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean);

  const overrides: Record<string, SetOverride[]> = {};
  for (const [type, sets] of Object.entries(file.overrides ?? {}))
    overrides[type] = Object.entries(sets).map(([path, value]) => ({ path, value }));
  const users: { valid?: string; unknown?: string } = {};
  const valid = first(flags.validUser, file.users?.valid);
  const unknown = first(flags.unknownUser, file.users?.unknown);
  if (valid !== undefined) users.valid = valid;
  if (unknown !== undefined) users.unknown = unknown;

  return {
    url: target.url,
    secret: target.secret,
    secretSource: target.secretSource,
    types: first<string[] | "all">(typesFlag, file.types),
    strict: first(flags.strict, file.strict) ?? false,
    budgetMs: first(flags.budget, file.budgetMs) ?? DEFAULT_BUDGET_MS,
    timeoutMs: target.timeoutMs,
    reporter: reporter as ReporterName,
    output: first(flags.output, file.output),
    users,
    overrides,
    expectations: { ...(file.expectations ?? {}) },
    headers: target.headers,
    stateProbe: first(flags.stateProbe, file.stateProbe),
  };
}
