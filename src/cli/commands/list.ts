// `list`: the built-in webhook fixtures (and a --fixtures-dir's), as a table or JSON.
import { resolve } from "node:path";
import { ExitCode } from "../../core/errors.js";
import { bool, defineCommand, examples, str } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { table } from "../style.js";

export interface ListOptions {
  json: boolean;
  fixturesDir: string | undefined;
}

export const command = defineCommand<ListOptions>({
  path: ["list"],
  declare: (command) =>
    command
      .option("--json", "print JSON")
      .option("--fixtures-dir <dir>", "also list fixtures from this directory")
      .addHelpText("after", examples("xsolla-hooks list", "xsolla-hooks list --json | jq '.[].id'")),
  parse: ({ opts }) => ({ json: bool(opts.json), fixturesDir: str(opts.fixturesDir) }),
  run,
});

async function run(options: ListOptions, io: Io): Promise<number> {
  const { loadFixtures } = await import("../../adapters/fixtures-fs.js");
  const dir = options.fixturesDir ?? io.env.XSOLLA_HOOKS_FIXTURES_DIR;
  const fixtures = await loadFixtures(dir ? resolve(io.cwd, dir) : undefined);
  if (options.json) {
    const rows = fixtures.map((f) => ({
      id: f.id,
      type: f.meta.type,
      variant: f.meta.variant ?? null,
      description: f.meta.description,
      success: f.meta.success.statuses,
      documentedSuccess: f.meta.success.documented,
      responseBodyRequired: f.meta.success.responseBody !== null,
      responseBody: f.meta.success.responseBody,
      retryPolicy: f.meta.retryPolicy,
      source: f.meta.source,
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const rows = [
    ["FIXTURE", "SUCCESS", "RETRIES", "DESCRIPTION"],
    ...fixtures.map((f) => [
      f.id,
      f.meta.success.responseBody ? `${f.meta.success.statuses.join("/")}+body` : f.meta.success.statuses.join("/"),
      f.meta.retryPolicy,
      f.meta.description,
    ]),
  ];
  io.stdout.write(table(rows));
  return ExitCode.Ok;
}
