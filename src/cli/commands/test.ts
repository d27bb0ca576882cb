// `xsolla-hooks test`: the contract suite for CI. Config, then the suite (src/runners/suite.ts), then one report.
import { resolve } from "node:path";
import { Option } from "../commander.js";
import { ErrorCode, ExitCode, InterruptedError, UnreachableError, UsageError } from "../../core/errors.js";
import {
  formatCheckLine,
  formatSummary,
  REPORTERS,
  toJsonReport,
  toJunitReport,
  toPrettyReport,
  toTapReport,
} from "../../core/contract/reporters.js";
import { CHECK_CATALOG } from "../../core/contract/plan.js";
import type { ContractCheckResult, ContractSuiteResult } from "../../core/contract/types.js";
import { checkUrl, redactUrls, requireSecret } from "../../core/settings.js";
import { plainStyle, type Style } from "../../core/text-style.js";
import { collect, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { nonEmptyOption, parseHeaders, parseInteger, reporterOption } from "../options.js";
import { createProgressLine } from "../progress.js";
import { createStyle } from "../style.js";

export interface TestOptions {
  url: string | undefined;
  secret: string | undefined;
  config: string | undefined;
  types: string | undefined;
  reporter: string | undefined;
  output: string | undefined;
  strict: boolean | undefined;
  budgetMs: number | undefined;
  timeoutMs: number | undefined;
  validUser: string | undefined;
  unknownUser: string | undefined;
  headers: Record<string, string> | undefined;
  fixturesDir: string | undefined;
  stateProbe: string | undefined;
  color: boolean | undefined;
}

/** An unset CI variable must not turn into a green run without webhook checks. */
function parseTypesFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.split(",").every((t) => t.trim() === ""))
    throw new UsageError(`--types is empty ("${value}")`, { hint: "name types, e.g. --types payment,order_paid, or --types all" });
  return value;
}

export const command = defineCommand<TestOptions>({
  path: ["test"],
  declare: (command) =>
    command
      .option("--url <url>", "handler URL (env XSOLLA_WEBHOOK_URL)")
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--config <file>", "config file (default: xsolla-hooks.config.json found from here upward)")
      .option(
        "--types <list>",
        "webhook types to test, comma-separated, or all (default: user_validation,payment,refund,order_paid,order_canceled)",
      )
      .addOption(new Option("--reporter <name>", "report format").choices([...REPORTERS]))
      .option("--output <file>", "write the report to a file (atomically) and print a summary")
      .option("--strict", "require Xsolla's documented codes exactly (204 success, 400 rejections)")
      .option("--budget <ms>", "slowest acceptable answer (default 3000, Xsolla's recommendation)")
      .option("--timeout <ms>", "per-request timeout (default 10000)")
      .option("--valid-user <id>", "a user id the handler knows (user_validation)")
      .option("--unknown-user <id>", "a user id the handler must refuse (default test_xsolla_<random>)")
      .option("--header <K: V>", "extra request header (repeatable)", collect)
      .option("--fixtures-dir <dir>", "also load fixtures from this directory")
      .option(
        "--state-probe <command>",
        "shell command that prints the handler's state for the test user, run around the idempotency checks (see README)",
      )
      .option("--json", "the same as --reporter json")
      .addHelpText(
        "after",
        examples(
          "xsolla-hooks test --url https://staging.example.com/xsolla --secret $XSOLLA_WEBHOOK_SECRET",
          "xsolla-hooks test --reporter junit --output reports/xsolla.xml",
          "xsolla-hooks test --types all --strict --reporter json | jq .failed",
          "xsolla-hooks test --reporter github   # in GitHub Actions: annotations, and a job summary in $GITHUB_STEP_SUMMARY",
        ) +
          `\nChecks:\n${CHECK_CATALOG.map((c) => `  ${c.id.padEnd(30)} ${c.description}`).join("\n")}\n` +
          "\nExit: 0 all passed, 1 a check failed, 2 usage or config error, 3 handler unreachable (the report is still written).\n",
      ),
  parse: ({ opts }) => {
    const url = str(opts.url);
    return {
      url: url === undefined ? undefined : checkUrl(url),
      secret: str(opts.secret),
      config: str(opts.config),
      types: parseTypesFlag(str(opts.types)),
      reporter: reporterOption(opts),
      output: str(opts.output),
      strict: opts.strict === true ? true : undefined,
      budgetMs: parseInteger(str(opts.budget), "--budget", { min: 1, max: 600_000 }),
      timeoutMs: parseInteger(str(opts.timeout), "--timeout", { min: 1, max: 600_000 }),
      validUser: str(opts.validUser),
      unknownUser: str(opts.unknownUser),
      headers: opts.header ? parseHeaders(opts.header as string[]) : undefined,
      fixturesDir: str(opts.fixturesDir),
      stateProbe: nonEmptyOption(str(opts.stateProbe), "--state-probe"),
      color: opts.color === false ? false : undefined,
    };
  },
  run,
});

function render(result: ContractSuiteResult, reporter: string, style: Style): string {
  switch (reporter) {
    case "json":
      return toJsonReport(result);
    case "junit":
      return toJunitReport(result, new Date());
    case "tap":
      return toTapReport(result);
    default:
      return toPrettyReport(result, style);
  }
}

async function run(options: TestOptions, io: Io): Promise<number> {
  const { findConfigFile, readConfigFile } = await import("../../adapters/config-file.js");
  const { resolveContractConfig } = await import("../../core/config.js");
  const { loadFixtures } = await import("../../adapters/fixtures-fs.js");
  const { closestName } = await import("../../core/fixtures/catalog.js");
  const { assertWritable, writeFileAtomic } = await import("../../adapters/atomic-write.js");
  const { runContractSuite } = await import("../../runners/suite.js");

  const configPath = options.config ? resolve(io.cwd, options.config) : findConfigFile(io.cwd);
  const file = configPath ? await readConfigFile(configPath) : undefined;
  const config = resolveContractConfig({
    flags: {
      url: options.url,
      secret: options.secret,
      types: options.types,
      strict: options.strict,
      budget: options.budgetMs,
      timeout: options.timeoutMs,
      reporter: options.reporter,
      output: options.output,
      validUser: options.validUser,
      unknownUser: options.unknownUser,
      headers: options.headers,
      stateProbe: options.stateProbe,
    },
    env: io.env,
    file,
  });
  const url = checkUrl(config.url);
  const secret = requireSecret(config);
  const fixturesDir = options.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const fixtures = await loadFixtures(fixturesDir ? resolve(io.cwd, fixturesDir) : undefined);
  const known = [...new Set(fixtures.map((f) => f.meta.type))];
  for (const type of config.types === "all" ? [] : (config.types ?? [])) {
    if (!known.includes(type)) {
      const suggestion = closestName(type, known);
      throw new UsageError(`unknown webhook type "${type}" in --types`, {
        code: ErrorCode.UnknownFixture,
        hint: suggestion ? `did you mean ${suggestion}?` : "see: xsolla-hooks list",
      });
    }
  }

  const output = config.output ? resolve(io.cwd, config.output) : undefined;
  if (output) assertWritable(output);
  // Live lines only when people read the pretty report as it happens; otherwise stdout carries the report alone.
  // The github reporter's stdout is read by the Actions runner: annotations and one summary line only.
  const live = config.reporter === "pretty" || (output !== undefined && config.reporter !== "github");
  const style = await createStyle(io, options.color);
  const width = 38;
  if (live)
    io.stdout.write(
      style.dim(
        `contract test ${redactUrls(url)} (${config.strict ? "strict: Xsolla's documented status codes only" : "lenient: any 4xx with the right error.code"})\n`,
      ),
    );

  const progress = createProgressLine(io);
  const result = await runContractSuite({
    url,
    secret,
    ...(config.types ? { types: config.types } : {}),
    strict: config.strict,
    budgetMs: config.budgetMs,
    timeoutMs: config.timeoutMs,
    users: config.users,
    overrides: config.overrides,
    expectations: config.expectations,
    headers: config.headers,
    ...(fixturesDir ? { fixturesDir: resolve(io.cwd, fixturesDir) } : {}),
    stateProbe: config.stateProbe,
    env: io.env,
    signal: io.signal,
    onStart: (check, index, total) => progress.show(`  running ${check} (${index + 1} of ${total})…`),
    onResult: (check: ContractCheckResult) => {
      progress.clear();
      if (live) io.stdout.write(formatCheckLine(check, style, width));
    },
  });

  if (io.signal.aborted) throw new InterruptedError(`interrupted after ${result.checks.length} checks`);
  // The report is written even when nothing answered: CI keeps a report that says why, never an old one.
  if (config.reporter === "github") {
    const { writeGithubReport } = await import("../github-report.js");
    await writeGithubReport(result, io, { output });
  } else if (output) {
    writeFileAtomic(output, render(result, config.reporter, plainStyle));
    io.stdout.write(formatSummary(result, style));
    io.stdout.write(style.dim(`${config.reporter} report written to ${config.output}\n`));
  } else if (live) {
    io.stdout.write(formatSummary(result, style));
  } else {
    io.stdout.write(render(result, config.reporter, style));
  }
  if (result.unreachable)
    throw new UnreachableError(`could not reach ${url}: ${result.unreachableReason ?? "no answer"}`, { reported: true });
  return result.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
