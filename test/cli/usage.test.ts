// Argument handling in-process, through runCli with an Io that records what a user would see: the
// parser's own errors in our words on one line, `help <command>`, and defaults shown one way in --help.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { runCli } from "../../src/cli/run.js";
import { createProgram, parseCommandLine } from "../../src/cli/program.js";
import type { Io } from "../../src/adapters/io.js";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const text = (t: string | Uint8Array) => (typeof t === "string" ? t : Buffer.from(t).toString());
  const io: Io = {
    stdout: { write: (t) => void (stdout += text(t)), isTTY: false },
    stderr: { write: (t) => void (stderr += text(t)), isTTY: false },
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    env: { NO_COLOR: "1" },
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("the parser's errors: exit 2, one line in our words, the suggestion on the same line", () => {
  it.each([
    [["sned", "payment"], 'error: unknown command "sned" (did you mean send? see: xsolla-hooks --help)'],
    [
      ["send", "payment", "--timeou", "5"],
      "error: unknown option --timeou for send (did you mean --timeout? see: xsolla-hooks send --help)",
    ],
    [["send", "payment", "--zzz"], "error: unknown option --zzz for send (see: xsolla-hooks send --help)"],
    [["--nope"], "error: unknown option --nope (see: xsolla-hooks --help)"],
    [["events", "pol"], 'error: unknown command "pol" in events (did you mean poll? see: xsolla-hooks events --help)'],
    [["show"], "error: missing argument <type|file|-> for show (see: xsolla-hooks show --help)"],
    [["completion"], "error: missing argument <shell> for completion (see: xsolla-hooks completion --help)"],
    [["send", "payment", "--url"], "error: --url needs a value: --url <url> (see: xsolla-hooks send --help)"],
    [["show", "payment", "--body-format", "weird"], 'error: invalid --body-format "weird" (use pretty or compact)'],
    [["test", "--reporter", "xml"], 'error: invalid --reporter "xml" (use pretty, json, junit, tap or github)'],
    [["show", "a", "b"], "error: too many arguments for show: expected 1, got 2 (see: xsolla-hooks show --help)"],
    [["help", "nosuch"], 'error: unknown command "nosuch" (see: xsolla-hooks --help)'],
  ])("%j", async (argv, line) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe("");
  });
});

describe("help", () => {
  it("help events list shows that subcommand's help, like events list --help", async () => {
    const viaHelp = await run(["help", "events", "list"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: xsolla-hooks events list \[options\]/);
    expect(viaHelp.stdout).toBe((await run(["events", "list", "--help"])).stdout);
  });

  it("help send and help events are still the commands' help", async () => {
    expect((await run(["help", "send"])).stdout).toMatch(/^Usage: xsolla-hooks send /);
    expect((await run(["help", "events"])).stdout).toMatch(/^Usage: xsolla-hooks events /);
  });

  it("every --help shows defaults one way: (default: X), unquoted", async () => {
    const silent = () => {};
    const program = await createProgram({ stdout: silent, stderr: silent }, async () => {}, "all");
    const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
    const texts = all(program).map((command) => command.helpInformation().replace(/\s+/g, " "));
    const defaults = texts.flatMap((text) => [...text.matchAll(/\bdefault\b.{0,12}/g)].map((m) => m[0]));
    expect(defaults.length).toBeGreaterThan(20);
    for (const found of defaults) expect(found).toMatch(/^default: [^"]/);
    expect(texts.join(" ")).not.toMatch(/choices: "/);
  });
});

describe("refused at the boundary: own-key lookups, connection headers, sizes, --expect-final, long delays", () => {
  it.each([
    [["send", "payment", "--header", "Content-Length: 5"], /--header cannot set Content-Length/],
    [["send", "payment", "--header", "transfer-encoding: chunked"], /--header cannot set transfer-encoding/],
    [["test", "--header", "Content-Length: 5"], /--header cannot set Content-Length/],
    [["show", "payment", "--max-body", "lots"], /invalid --max-body "lots"/],
    [["send", "payment", "--retry", "--expect-final", "2xx"], /invalid --expect-final "2xx": a 2xx is a delivery, not a final failure/],
    [
      ["send", "payment", "--retry", "--expect-final", "404,exhausted"],
      /invalid --expect-final "404,exhausted": exhausted and no-answer stand alone/,
    ],
    [["send", "payment", "--retry", "--schedule", "9000h"], /invalid --schedule "9000h": "9000h" is longer than 365 days/],
    [["listen", "--status-style", "constructor"], /invalid --status-style "constructor"/],
    [["test", "--reporter", "toString"], /invalid --reporter "toString"/],
    [["completion", "__proto__"], /unknown shell "__proto__"/],
    [["constructor"], /unknown command "constructor"/],
    [["toString", "list"], /unknown command "toString"/],
  ])("%j is refused", async (argv, message) => {
    await expect(parseCommandLine(argv)).rejects.toThrow(message);
  });

  it("--max-body takes bytes or binary units", async () => {
    for (const [value, bytes] of [
      ["1000", 1000],
      ["512KiB", 512 * 1024],
      ["16m", 16 * 1024 * 1024],
      ["256MiB", 256 * 1024 * 1024],
    ] as const) {
      const { options } = await parseCommandLine(["show", "payment", "--max-body", value]);
      expect(options).toMatchObject({ payload: { maxBody: bytes } });
    }
  });
});
