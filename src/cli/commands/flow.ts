// `xsolla-hooks flow`: plays Xsolla's webhook sequences (purchase, refund, subscription...) against a
// handler, with perturbations. Config and flags here; src/runners/flow.ts plays, core/flow judges.
import { resolve } from "node:path";
import { Option } from "../commander.js";
import { ErrorCode, ExitCode, InterruptedError, UnreachableError, UsageError } from "../../core/errors.js";
import { REPORTERS } from "../../core/contract/reporters.js";
import { BUILTIN_FLOWS, findBuiltinFlow } from "../../core/flow/builtin.js";
import { parseSwap } from "../../core/flow/plan.js";
import { describeFlows } from "../../core/flow/report.js";
import type { FlowDefinition, FlowMode, FlowResult } from "../../core/flow/types.js";
import { checkUrl, requireSecret } from "../../core/settings.js";
import type { Style } from "../../core/text-style.js";
import type { Io } from "../../adapters/io.js";
import { collect, defineCommand, examples, str, strings } from "../command.js";
import { nonEmptyOption, parseHeaders, parseInteger, reporterOption } from "../options.js";
import { createStyle } from "../style.js";

export interface FlowOptions {
  name: string | undefined;
  list: boolean;
  url: string | undefined;
  secret: string | undefined;
  config: string | undefined;
  mode: FlowMode | undefined;
  duplicate: string[];
  concurrent: string[];
  swap: [string, string][];
  stopAfter: string | undefined;
  retry: boolean;
  stateProbe: string | undefined;
  user: string | undefined;
  unknownUser: string | undefined;
  strict: boolean | undefined;
  timeoutMs: number | undefined;
  headers: Record<string, string> | undefined;
  fixturesDir: string | undefined;
  reporter: string | undefined;
  output: string | undefined;
  json: boolean;
  color: boolean | undefined;
}

export const command = defineCommand<FlowOptions>({
  path: ["flow"],
  declare: (command) =>
    command
      .argument("[name]", "flow to play (see --list)")
      .option("--list", "list the flows (built-in and from the config file) and their steps")
      .option("--url <url>", "handler URL (env XSOLLA_WEBHOOK_URL)")
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--config <file>", "config file (default: xsolla-hooks.config.json found from here upward)")
      .addOption(
        new Option("--mode <mode>", "order webhooks as combined accounts (since 2025-01-22) or separate accounts get them").choices([
          "combined",
          "separate",
        ]),
      )
      .option("--duplicate <step>", "deliver this step twice, the same bytes (repeatable)", collect)
      .option("--concurrent <step>", "deliver this step twice at the same time (repeatable)", collect)
      .option("--swap <a,b>", "deliver these two steps in each other's place (repeatable)", collect)
      .option("--stop-after <step>", "send nothing after this step")
      .option("--retry", "resend a step the handler failed, on its type's retry policy (virtual clock: no real waiting)")
      .option(
        "--state-probe <command>",
        "shell command that prints the handler's state for the flow's user, read before the flow and after each step (see README)",
      )
      .option("--user <id>", "the player the flow is about; the handler must know them (default sample_user_1)")
      .option("--unknown-user <id>", "a user the handler must refuse (failed-validation; default player_<random>)")
      .option("--strict", "rejections must be exactly 400, as Xsolla's docs show")
      .option("--timeout <ms>", "per-request timeout (default 10000)")
      .option("--header <K: V>", "extra request header (repeatable)", collect)
      .option("--fixtures-dir <dir>", "also load fixtures from this directory")
      .addOption(new Option("--reporter <name>", "report format").choices([...REPORTERS]))
      .option("--output <file>", "write the report to a file (atomically) and print a summary")
      .option("--json", "the same as --reporter json (with --list: the flows as JSON)")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks flow purchase --url http://localhost:3000/xsolla --secret $XSOLLA_WEBHOOK_SECRET",
          "xsolla-hooks flow refund --mode separate --duplicate refund --state-probe 'psql -tAc \"select balance from wallets where user_id = '\\''$XSOLLA_HOOKS_USER_ID'\\''\"'",
          "xsolla-hooks flow purchase --concurrent order_paid --swap validate-3,order_paid --reporter junit --output flow.xml",
          "xsolla-hooks flow failed-validation --unknown-user nobody_42",
          "xsolla-hooks flow --list",
        ) +
          `\nFlows (steps are named by the id on the left):\n\n${describeFlows(BUILTIN_FLOWS)
            .split("\n")
            .map((l) => (l ? `  ${l}` : l))
            .join("\n")}` +
          '\nCustom flows live in the config file under "flows" (README: Flows).\n' +
          "Exit: 0 every step as it should be, 1 a step failed, 2 usage or config error, 3 handler unreachable.\n",
      ),
  parse: ({ opts, args }) => {
    const url = str(opts.url);
    return {
      name: str(args[0]),
      list: opts.list === true,
      url: url === undefined ? undefined : checkUrl(url),
      secret: str(opts.secret),
      config: str(opts.config),
      mode: str(opts.mode) as FlowMode | undefined,
      duplicate: strings(opts.duplicate) ?? [],
      concurrent: strings(opts.concurrent) ?? [],
      swap: (strings(opts.swap) ?? []).map(parseSwap),
      stopAfter: nonEmptyOption(str(opts.stopAfter), "--stop-after"),
      retry: opts.retry === true,
      stateProbe: nonEmptyOption(str(opts.stateProbe), "--state-probe"),
      user: nonEmptyOption(str(opts.user), "--user"),
      unknownUser: nonEmptyOption(str(opts.unknownUser), "--unknown-user"),
      strict: opts.strict === true ? true : undefined,
      timeoutMs: parseInteger(str(opts.timeout), "--timeout", { min: 1, max: 600_000 }),
      headers: opts.header ? parseHeaders(opts.header as string[]) : undefined,
      fixturesDir: str(opts.fixturesDir),
      reporter: reporterOption(opts),
      output: str(opts.output),
      json: opts.json === true,
      color: opts.color === false ? false : undefined,
    };
  },
  run,
});

async function render(result: FlowResult, reporter: string, style: Style): Promise<string> {
  const reporters = await import("../../core/contract/reporters.js");
  const report = await import("../../core/flow/report.js");
  switch (reporter) {
    case "json":
      return report.toFlowJson(result);
    case "junit":
      return reporters.toJunitReport(result, new Date(), `flow.${result.flow}`);
    case "tap":
      return reporters.toTapReport(result);
    default:
      return report.toPrettyFlowReport(result, style);
  }
}

function findFlow(
  name: string,
  definitions: readonly FlowDefinition[],
  closestName: (input: string, names: string[]) => string | undefined,
) {
  const found = findBuiltinFlow(name) ?? definitions.find((d) => d.name === name);
  if (found) return found;
  const suggestion = closestName(
    name,
    definitions.map((d) => d.name),
  );
  throw new UsageError(`unknown flow "${name}"`, {
    code: ErrorCode.UnknownFixture,
    hint: `${suggestion ? `did you mean ${suggestion}? ` : ""}see: xsolla-hooks flow --list`,
  });
}

async function run(options: FlowOptions, io: Io): Promise<number> {
  const { findConfigFile, readConfigFile } = await import("../../adapters/config-file.js");
  const { customFlowDefinitions } = await import("../../core/flow/custom.js");
  const configPath = options.config ? resolve(io.cwd, options.config) : findConfigFile(io.cwd);
  const file = configPath ? await readConfigFile(configPath, io.signal) : undefined;
  const definitions = [...BUILTIN_FLOWS, ...customFlowDefinitions(file?.flows ?? {})];

  if (options.list) {
    if (options.name !== undefined) throw new UsageError("--list takes no flow name", { hint: "xsolla-hooks flow --list" });
    const { flowsToJson } = await import("../../core/flow/report.js");
    io.stdout.write(options.json ? flowsToJson(definitions) : describeFlows(definitions));
    return ExitCode.Ok;
  }
  if (options.name === undefined)
    throw new UsageError("missing flow name", {
      hint: `e.g. xsolla-hooks flow purchase --url URL --secret S; flows: ${definitions.map((d) => d.name).join(", ")}`,
    });
  const { closestName } = await import("../../core/fixtures/catalog.js");
  const definition = findFlow(options.name, definitions, closestName);
  if (options.mode !== undefined && !definition.modal)
    throw new UsageError(`flow ${definition.name} has no --mode`, { hint: "--mode goes with purchase, refund and partial-refund" });

  const { resolveContractConfig } = await import("../../core/config.js");
  const config = resolveContractConfig({
    flags: {
      url: options.url,
      secret: options.secret,
      strict: options.strict,
      timeout: options.timeoutMs,
      reporter: options.reporter,
      output: options.output,
      validUser: options.user,
      unknownUser: options.unknownUser,
      headers: options.headers,
      stateProbe: options.stateProbe,
    },
    env: io.env,
    file,
  });
  const url = checkUrl(config.url);
  const secret = requireSecret(config);
  const { randomInt } = await import("node:crypto");
  const { createStory } = await import("../../core/flow/builtin.js");
  const { planFlowRun, runFlow } = await import("../../runners/flow.js");
  const { assertWritable, writeFileAtomic } = await import("../../adapters/atomic-write.js");
  const rand = () => randomInt(0, 1_000_000) / 1_000_000;
  const fixturesDir = options.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const runOptions = {
    url,
    secret,
    definition,
    mode: options.mode ?? ("combined" as const),
    story: createStory({ now: Date.now(), rand }, { user: config.users.valid, unknownUser: config.users.unknown }),
    perturbations: {
      duplicate: options.duplicate,
      concurrent: options.concurrent,
      swap: options.swap,
      stopAfter: options.stopAfter,
      retry: options.retry,
    },
    strict: config.strict,
    timeoutMs: config.timeoutMs,
    headers: config.headers,
    fixturesDir: fixturesDir ? resolve(io.cwd, fixturesDir) : undefined,
    stateProbe: config.stateProbe,
    env: io.env,
    signal: io.signal,
    fresh: { now: Date.now(), rand },
  };
  // A bad step name or config reference fails here, before anything is sent.
  const plan = await planFlowRun(runOptions);
  const output = config.output ? resolve(io.cwd, config.output) : undefined;
  if (output) assertWritable(output);

  const result = await runFlow(runOptions, plan);
  if (io.signal.aborted) throw new InterruptedError(`interrupted after ${result.passed + result.failed} steps`);
  const style = await createStyle(io, options.color);
  if (config.reporter === "github") {
    const { writeGithubReport } = await import("../github-report.js");
    await writeGithubReport(result, io, { title: `xsolla-hooks flow ${result.flow}`, output });
  } else if (output) {
    const { plainStyle } = await import("../../core/text-style.js");
    const { formatFlowSummary } = await import("../../core/flow/report.js");
    writeFileAtomic(output, await render(result, config.reporter, plainStyle));
    io.stdout.write(formatFlowSummary(result, style));
    io.stdout.write(style.dim(`${config.reporter} report written to ${config.output}\n`));
  } else io.stdout.write(await render(result, config.reporter, style));
  if (result.unreachable)
    throw new UnreachableError(`could not reach ${url}: ${result.unreachableReason ?? "no answer"}`, { reported: true });
  return result.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
