// `demo`: the whole story on loopback, needing nothing else running. src/runners/demo.ts runs it;
// this file renders the table (or --json).
import { ExitCode } from "../../core/errors.js";
import { deliveryToJson } from "../../core/delivery/report.js";
import { describeExpectation } from "../../core/expectation.js";
import { bool, defineCommand, examples } from "../command.js";
import { EVENT_TABLE_HEADER, eventRow } from "../events-shared.js";
import type { Io } from "../../adapters/io.js";
import type { DemoResult } from "../../runners/demo.js";
import type { Style } from "../../core/text-style.js";
import { createStyle, table } from "../style.js";
import { declareUiOptions, parseUiOptions, startUi, type UiOptions } from "../inspector-ui.js";

/** How long `demo --open` waits for the page to connect, so a newcomer watches the catalog arrive. */
const PAGE_CONNECT_WAIT_MS = 10_000;

export interface DemoOptions extends UiOptions {
  json: boolean;
  color: boolean | undefined;
}

export const command = defineCommand<DemoOptions>({
  path: ["demo"],
  declare: (command) =>
    declareUiOptions(command.option("--json", "print the results as JSON")).addHelpText(
      "after",
      examples("xsolla-hooks demo", "xsolla-hooks demo --json", "xsolla-hooks demo --open") +
        "\nWith --ui or --open the inspector stays open after the demo until Ctrl-C; the exit code is still the demo's (0 or 1).\n",
    ),
  parse: ({ opts }) => ({ ...parseUiOptions(opts), json: bool(opts.json), color: opts.color === false ? false : undefined }),
  run,
});

async function run(options: DemoOptions, io: Io): Promise<number> {
  const { runDemo, DEMO_SECRET } = await import("../../runners/demo.js");
  const style = await createStyle(io, options.color);
  const banners = options.json ? io.stderr : io.stdout;
  const inspector = options.ui ? await startUi(io, banners, options, "127.0.0.1", DEMO_SECRET) : undefined;
  if (inspector && options.open) await inspector.waitForClient(PAGE_CONNECT_WAIT_MS, io.signal);
  const demo = await runDemo(
    io.signal,
    (url) => {
      if (!options.json) io.stdout.write(`Reference receiver on ${url} (the same handler as \`xsolla-hooks listen\`)\n\n`);
    },
    inspector?.record,
  );
  try {
    return render(demo, options, io, style);
  } finally {
    if (inspector) {
      // The page stays up so the deliveries can be opened and replayed; Ctrl-C closes it, not the demo's verdict.
      if (!io.signal.aborted) {
        banners.write(`\nThe inspector stays open at ${inspector.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => io.signal.addEventListener("abort", () => resolve(), { once: true }));
      }
      await inspector.close();
    }
  }
}

function render(demo: DemoResult, options: DemoOptions, io: Io, style: Style): number {
  const { cases, events, ok, passed } = demo;
  if (options.json) {
    const rows = cases.map((r) => ({
      name: r.demo.name,
      type: r.demo.fixture.meta.type,
      signature: r.demo.mode,
      expected: describeExpectation(r.demo.expectation),
      ok: r.verdict.ok,
      problems: r.verdict.problems,
      receiver: r.answer ? { verdict: r.answer.verdict, errorCode: r.answer.errorCode ?? null, reason: r.answer.reason } : null,
      attempts: deliveryToJson(r.report),
    }));
    const eventsJson = events
      ? {
          ok: events.ok,
          url: events.url,
          enqueued: events.enqueued,
          rows: events.events.map(eventRow),
          acked: events.acked,
          unprocessed: events.unprocessed,
        }
      : null;
    io.stdout.write(`${JSON.stringify({ ok, passed, failed: cases.length - passed, cases: rows, events: eventsJson })}\n`);
  } else {
    const rows = [["WEBHOOK", "SIGNATURE", "ANSWER", "RECEIVER SAID", "EXPECTED", "MS", "RESULT"]];
    for (const r of cases) {
      const answer = r.attempt?.result.kind === "reply" ? String(r.attempt.result.status) : "none";
      const said = r.answer ? `${r.answer.verdict}${r.answer.errorCode ? ` ${r.answer.errorCode}` : ""}` : "-";
      rows.push([
        r.demo.name,
        r.demo.mode === "valid" ? "valid" : "wrong secret",
        answer,
        said,
        describeExpectation(r.demo.expectation),
        String(Math.round(r.attempt?.result.durationMs ?? 0)),
        r.verdict.ok ? "ok" : `FAIL: ${r.verdict.problems.join("; ")}`,
      ]);
    }
    const text = table(rows)
      .replace(/ ok$/gm, ` ${style.ok("ok")}`)
      .replace(/ (FAIL: .*)$/gm, (_m, fail: string) => ` ${style.bad(fail)}`);
    io.stdout.write(text);
    const signedCount = cases.filter((r) => r.demo.mode === "valid" && r.demo.sets.length === 0).length;
    io.stdout.write(
      `\n${ok ? style.ok("✓") : style.bad("✗")} ${passed} of ${cases.length} as expected: ${signedCount} webhook fixtures delivered and accepted, a bad signature and an unknown user rejected.\n`,
    );
    if (events) {
      io.stdout.write(
        `\nEvent API (client-only games): a local mock on ${events.url}, ${events.enqueued.length} purchase events enqueued, polled and marked processed\n\n`,
      );
      io.stdout.write(table([EVENT_TABLE_HEADER, ...events.events.map(eventRow)]));
      const left = events.unprocessed.length;
      io.stdout.write(
        `\n${events.ok ? style.ok("✓") : style.bad("✗")} ${events.events.length} events printed once each, ${events.acked.length} marked processed, ${left === 0 ? "none left unprocessed" : `${left} left unprocessed`}.\n`,
      );
    }
    io.stdout.write(
      style.dim("Next: xsolla-hooks send payment --url <your handler> --secret <project secret>   (xsolla-hooks --help for more)\n"),
    );
  }
  if (io.signal.aborted) return ExitCode.Interrupted;
  return ok ? ExitCode.Ok : ExitCode.CheckFailed;
}
