// `xsolla-hooks test`: the contract suite for CI. Config, then the suite, then one report.
import { resolve } from "node:path";
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { resolveContractConfig } from "../../core/config.js";
import { formatCheckLine, formatSummary, toJsonReport, toJunitReport, toPrettyReport, toTapReport } from "../../core/contract/reporters.js";
import { closestName } from "../../core/fixtures/catalog.js";
import { findConfigFile, readConfigFile } from "../../adapters/config-file.js";
import { loadFixtures } from "../../adapters/fixtures-fs.js";
import { assertWritable, writeFileAtomic } from "../../adapters/atomic-write.js";
import { runContractSuite, type ContractCheckResult, type ContractSuiteResult } from "../../contract/suite.js";
import type { Io } from "../io.js";
import { checkUrl, parseHeaders, parseInteger } from "../options.js";
import { createStyle, type Style } from "../style.js";
import { createProgressLine } from "../progress.js";

export interface TestOptions {
  url?: string;
  secret?: string;
  config?: string;
  types?: string;
  reporter?: string;
  output?: string;
  strict?: boolean;
  budget?: string;
  timeout?: string;
  validUser?: string;
  unknownUser?: string;
  header?: string[];
  fixturesDir?: string;
  color?: boolean;
}

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

export async function run(options: TestOptions, io: Io): Promise<number> {
  const configPath = options.config ? resolve(io.cwd, options.config) : findConfigFile(io.cwd);
  const file = configPath ? readConfigFile(configPath) : undefined;
  const config = resolveContractConfig({
    flags: {
      url: options.url,
      secret: options.secret,
      types: options.types,
      strict: options.strict,
      budget: parseInteger(options.budget, "--budget", { min: 1, max: 600_000 }),
      timeout: parseInteger(options.timeout, "--timeout", { min: 1, max: 600_000 }),
      reporter: options.reporter,
      output: options.output,
      validUser: options.validUser,
      unknownUser: options.unknownUser,
      headers: options.header ? parseHeaders(options.header) : undefined,
    },
    env: io.env,
    file,
  });
  const url = checkUrl(config.url);
  if (!config.secret) throw new UsageError("missing webhook secret", { code: ErrorCode.MissingSecret, hint: "pass --secret, set XSOLLA_WEBHOOK_SECRET, or name secretEnv in the config" });
  const fixturesDir = options.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const fixtures = await loadFixtures(fixturesDir ? resolve(io.cwd, fixturesDir) : undefined);
  const known = [...new Set(fixtures.map((f) => f.meta.type))];
  for (const type of config.types === "all" ? [] : (config.types ?? [])) {
    if (!known.includes(type)) {
      const suggestion = closestName(type, known);
      throw new UsageError(`unknown webhook type "${type}" in --types`, { code: ErrorCode.UnknownFixture, hint: suggestion ? `did you mean ${suggestion}?` : "see: xsolla-hooks list" });
    }
  }

  const output = config.output ? resolve(io.cwd, config.output) : undefined;
  if (output) assertWritable(output);
  // Live lines only when people read the pretty report as it happens; otherwise stdout carries the report alone.
  const live = config.reporter === "pretty" || output !== undefined;
  const style = await createStyle(io, options.color);
  const width = 34;
  if (live) io.stdout.write(style.dim(`contract test ${url} (${config.strict ? "strict: Xsolla's documented status codes only" : "lenient: any 4xx with the right error.code"})\n`));

  const progress = createProgressLine(io);
  const result = await runContractSuite({
    url,
    secret: config.secret,
    ...(config.types ? { types: config.types } : {}),
    strict: config.strict,
    budgetMs: config.budgetMs,
    timeoutMs: config.timeoutMs,
    users: config.users,
    overrides: config.overrides,
    expectations: config.expectations,
    headers: config.headers,
    ...(fixturesDir ? { fixturesDir: resolve(io.cwd, fixturesDir) } : {}),
    signal: io.signal,
    onStart: (check, index, total) => progress.show(`  running ${check} (${index + 1} of ${total})…`),
    onResult: (check: ContractCheckResult) => {
      progress.clear();
      if (live) io.stdout.write(formatCheckLine(check, style, width));
    },
  });

  if (io.signal.aborted) {
    io.stderr.write(`interrupted after ${result.checks.length} checks\n`);
    return ExitCode.Interrupted;
  }
  if (result.unreachable) {
    io.stderr.write(`error: could not reach ${url}: ${result.unreachableReason ?? "no answer"}\n`);
    return ExitCode.Unreachable;
  }
  if (output) {
    writeFileAtomic(output, render(result, config.reporter, { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t, bold: (t) => t }));
    io.stdout.write(formatSummary(result, style));
    io.stdout.write(style.dim(`${config.reporter} report written to ${config.output}\n`));
  } else if (live) {
    io.stdout.write(formatSummary(result, style));
  } else {
    io.stdout.write(render(result, config.reporter, style));
  }
  return result.ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
