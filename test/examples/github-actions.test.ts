// examples/github-actions.yml cannot run here (no GitHub); this checks what can be checked: it is valid YAML with the
// steps the README describes, and every xsolla-hooks command line in it parses with today's flags.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../src/cli/program.js";
import { ROOT } from "../helpers/cli.js";

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}

/** Shell words of one command line: single and double quotes, backslash-newline continuations. */
function words(command: string): string[] {
  const out: string[] = [];
  let current: string | null = null;
  let quote: "'" | '"' | null = null;
  const text = command.replace(/\\\n/g, " ");
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= "";
    } else if (/\s/.test(char)) {
      if (current !== null) out.push(current);
      current = null;
    } else current = (current ?? "") + char;
  }
  if (current !== null) out.push(current);
  return out;
}

describe("examples/github-actions.yml", () => {
  const workflow = parse(readFileSync(join(ROOT, "examples", "github-actions.yml"), "utf8")) as {
    on: unknown;
    jobs: Record<string, { "runs-on": string; steps: Step[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const invocations = steps.flatMap((step) =>
    (step.run ?? "")
      .split(/\n(?!\s)/)
      .filter((line) => line.trim().startsWith("npx xsolla-hooks "))
      .map((line) => ({ step, argv: words(line).slice(2) })),
  );

  it("runs the suite with --reporter github, and with --reporter junit into the file the publish step reads", () => {
    expect(workflow.on).toBeDefined();
    expect(invocations.map((i) => i.argv.slice(0, 1)[0])).toEqual(["test", "test"]);
    const github = invocations.find((i) => i.argv.includes("github"));
    const junit = invocations.find((i) => i.argv.includes("junit"));
    expect(github?.argv).toEqual(expect.arrayContaining(["--reporter", "github", "--strict", "--state-probe"]));
    const output = junit?.argv[(junit?.argv.indexOf("--output") ?? -2) + 1];
    expect(output).toBe("reports/xsolla-contract.xml");
    expect(junit?.step.if).toBe("always()");
    const publish = steps.find((s) => s.uses?.startsWith("mikepenz/action-junit-report"));
    expect(publish?.with?.["report_paths"]).toBe(output);
    expect(publish?.if).toBe("always()");
  });

  it("every xsolla-hooks command line in it parses with the CLI's current flags", async () => {
    for (const { argv } of invocations) {
      const parsed = await parseCommandLine(argv);
      expect(parsed.command).toBe("test");
    }
  });
});
