// `xsolla-hooks flow` through the built CLI: the reference receiver passes every flow, and handlers
// written to be wrong in the way each flow exists to catch fail it at the right step, with evidence.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startHandler, type HandlerFlaws, type TestHandler } from "../helpers/handlers.js";
import { refusedPort } from "../helpers/loopback.js";
import { startReceiver, type ReceiverOptions, type RunningReceiver } from "../../src/server/receiver.js";

const SECRET = "flow-secret-0123456789";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function handler(flaws: HandlerFlaws = {}, secret = SECRET): Promise<TestHandler> {
  const server = await startHandler(secret, flaws);
  cleanup.push(() => server.close());
  return server;
}
async function receiver(options: Partial<ReceiverOptions> = {}): Promise<RunningReceiver> {
  const server = await startReceiver({ secret: SECRET, ...options });
  cleanup.push(() => server.close());
  return server;
}

interface Step {
  id: string;
  step: string;
  type: string;
  ok: boolean;
  outcome: "passed" | "failed" | "not-run";
  status: number | null;
  message: string;
  note: string | null;
  offsetMs: number;
  attempts: number;
  request: { notificationType: string | null; transactionId: string | null } | null;
  response: { status: number; contentType: string | null; body: string } | null;
}
interface Report {
  flow: string;
  ok: boolean;
  stateProbe: boolean;
  sideEffects: string;
  steps: Step[];
}

/** The wallet balance the ledger handler keeps for the flow's user. */
const FILE_PROBE = `cat "$STATE_DIR/$XSOLLA_HOOKS_USER_ID" 2>/dev/null || echo 0`;

async function flow(url: string, args: string[], env: Record<string, string> = {}) {
  const result = await runCli(["flow", ...args, "--url", url, "--secret", SECRET, "--json"], { timeoutMs: 30_000, env });
  const report = JSON.parse(result.stdout) as Report;
  const step = (id: string) => {
    const found = report.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id} in ${report.steps.map((s) => s.id).join(", ")}`);
    return found;
  };
  const failing = report.steps.filter((s) => s.outcome === "failed").map((s) => s.id);
  return { code: result.code, stderr: result.stderr, report, step, failing };
}

describe("every built-in flow passes against the reference receiver", { timeout: 60_000 }, () => {
  it("each flow and mode, and the perturbations, with consistent ids across steps", async () => {
    const server = await receiver();
    const runs = await Promise.all(
      [
        ["purchase"],
        ["purchase", "--mode", "separate", "--duplicate", "payment", "--concurrent", "order_paid", "--swap", "validate-3,payment"],
        ["refund", "--mode", "separate", "--retry"],
        ["refund"],
        ["partial-refund"],
        ["failed-validation"],
        ["subscription"],
        ["non_renewal"],
      ].map((args) => flow(server.url, args)),
    );
    for (const run of runs) {
      expect(run.failing, run.report.flow).toEqual([]);
      expect(run.code).toBe(0);
    }
    const [, perturbed, separate] = runs;
    expect(perturbed?.report.steps.map((s) => s.id)).toEqual([
      "validate-1",
      "validate-2",
      "payment",
      "payment:duplicate",
      "validate-3",
      "order_paid",
      "order_paid:concurrent",
    ]);
    expect(separate?.report.sideEffects).toMatch(/side effects were not observed \(no --state-probe\)/);
    expect(separate?.step("refund").note).toMatch(/side effects were not observed/);

    // One story: the refund and the cancellation name the transaction and order the purchase created.
    const bodies = server.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    const refund = bodies.find((b) => b.notification_type === "refund");
    const payment = bodies.find((b) => b.notification_type === "payment" && b.transaction.id === refund.transaction.id);
    const orders = bodies.filter((b) => b.order?.invoice_id === String(refund.transaction.id));
    expect(payment.user.id).toBe("sample_user_1");
    expect(orders.map((b) => b.notification_type).sort()).toEqual(["order_canceled", "order_paid"]);
    expect(new Set(orders.map((b) => b.order.id)).size).toBe(1);
    expect(refund.purchase.subscription).toBeUndefined();
  });

  it("--retry resends a failed step on its type's policy (virtual clock); without it, the 500 fails the step", async () => {
    const [flaky, failing] = await Promise.all([receiver({ failFirst: 2 }), receiver({ failFirst: 1 })]);
    const [retried, once] = await Promise.all([flow(flaky.url, ["non-renewal", "--retry"]), flow(failing.url, ["non-renewal"])]);
    expect(retried.code).toBe(0);
    expect(retried.step("create")).toMatchObject({ attempts: 3, status: 204 });
    expect(retried.step("create").message).toMatch(/sent 3 times \(last at \+3m\)/);
    expect(retried.step("non-renewal").offsetMs).toBeGreaterThanOrEqual(180_000);

    expect(once.code).toBe(1);
    expect(once.failing).toEqual(["create"]);
    expect(once.step("create").message).toMatch(/status 500 SERVER_ERROR, expected 200\/201\/204: .*--retry replays that/);
  });
});

describe("flows catch handlers that are wrong across steps", { timeout: 60_000 }, () => {
  it("a correct wallet passes the refund flows with a probe: granted once, taken back in full, or in part", async () => {
    const [server, other] = await Promise.all([handler({ ledger: true }), handler({ ledger: true })]);
    const [refund, partial] = await Promise.all([
      flow(server.url, ["refund", "--mode", "separate", "--duplicate", "refund", "--state-probe", FILE_PROBE], {
        STATE_DIR: server.stateDir,
      }),
      flow(other.url, ["partial-refund", "--state-probe", FILE_PROBE], { STATE_DIR: other.stateDir }),
    ]);
    expect(refund.failing).toEqual([]);
    expect(refund.report.stateProbe).toBe(true);
    expect(refund.step("order_paid").message).toMatch(/the purchase changed the state once \("0" → "999"\)/);
    expect(refund.step("refund:duplicate").message).toMatch(/left the state as it was/);
    expect(refund.step("order_canceled").message).toMatch(
      /the refund took back the purchase \("0" before the purchase, "999" after it, "0"/,
    );
    expect(partial.code).toBe(0);
    expect(partial.step("partial_refund").message).toMatch(
      /took back part of the purchase \("0" before the purchase, "999" after it, "499" after the partial refund\)/,
    );
  });

  it("mismatched ids: grants filed by order, refunds looked up by transaction; the refund step fails with evidence", async () => {
    const server = await handler({ ledger: true, mismatchedIds: "error" });
    const [run, tap] = await Promise.all([
      flow(server.url, ["refund"]),
      runCli(["flow", "refund", "--url", server.url, "--secret", SECRET, "--reporter", "tap"]),
    ]);
    expect(run.code).toBe(1);
    expect(run.failing).toEqual(["order_canceled"]);
    const step = run.step("order_canceled");
    expect(step.message).toMatch(
      /status 400 INVALID_PARAMETER, expected 200\/201\/204; the purchase it belongs to \(transaction \d+, order \d+\) was accepted earlier in this flow \(order_paid\): the handler did not find it/,
    );
    expect(step.response).toMatchObject({
      status: 400,
      contentType: "application/json",
      body: expect.stringMatching(/unknown transaction/),
    });
    expect(step.request?.transactionId).toBe(run.step("order_paid").request?.transactionId);

    expect(tap.stdout).toMatch(/^not ok 5 - order_canceled$/m);
  });

  it("a refund answered 204 for a purchase it cannot find passes on statuses, and fails with a probe", async () => {
    const [server, other] = await Promise.all([
      handler({ ledger: true, mismatchedIds: "silent" }),
      handler({ ledger: true, mismatchedIds: "silent" }),
    ]);
    const [blind, seen] = await Promise.all([
      runCli(["flow", "refund", "--mode", "separate", "--url", other.url, "--secret", SECRET]),
      flow(server.url, ["refund", "--mode", "separate", "--state-probe", FILE_PROBE], { STATE_DIR: server.stateDir }),
    ]);
    expect(blind.code).toBe(0);
    expect(blind.stdout).toMatch(/side effects were not observed \(no --state-probe\)/);
    expect(seen.code).toBe(1);
    expect(seen.failing).toEqual(["order_canceled"]);
    expect(seen.step("order_canceled").message).toMatch(
      /accepted with 204; the refund was acknowledged \(refund, order_canceled\) but the state did not change \("0" before the purchase, "999" after it, "999" after the refund\): it did not take back/,
    );
  });

  it("non-idempotent crediting: a duplicate and a concurrent pair change the state again", async () => {
    const [twice, racy, refusing] = await Promise.all([
      handler({ ledger: true, creditTwice: true }),
      handler({ ledger: true, raceOnDuplicates: true }),
      handler({ ledger: true, rejectDuplicates: true }),
    ]);
    const [duplicate, concurrent, conflict] = await Promise.all([
      flow(twice.url, ["purchase", "--duplicate", "order_paid", "--state-probe", FILE_PROBE], { STATE_DIR: twice.stateDir }),
      flow(racy.url, ["purchase", "--concurrent", "order_paid", "--state-probe", FILE_PROBE], { STATE_DIR: racy.stateDir }),
      flow(refusing.url, ["refund", "--mode", "separate", "--duplicate", "payment"]),
    ]);
    expect(conflict.failing).toEqual(["payment:duplicate"]);
    expect(conflict.step("payment:duplicate").message).toMatch(
      /^status 409 DUPLICATE, expected 200\/201\/204: a repeat of a webhook already processed must get the same success answer/,
    );
    expect(duplicate.failing).toEqual(["order_paid:duplicate"]);
    expect(duplicate.step("order_paid:duplicate").message).toMatch(/the same bytes again changed the state \("999" → "1998"\)/);

    expect(concurrent.report.steps.map((s) => s.id)).toEqual([
      "order_paid:control",
      "validate-1",
      "validate-2",
      "validate-3",
      "order_paid",
      "order_paid:concurrent",
    ]);
    expect(concurrent.failing).toEqual(["order_paid"]);
    expect(concurrent.step("order_paid").message).toMatch(
      /two copies at once changed the state by 1998 .* where one delivery changes it by 999/,
    );
  });

  it("payment and order_paid credited separately: one purchase granted twice (separate mode)", async () => {
    const server = await handler();
    const run = await flow(server.url, ["purchase", "--mode", "separate", "--state-probe", FILE_PROBE], { STATE_DIR: server.stateDir });
    expect(run.failing).toEqual(["order_paid"]);
    expect(run.step("order_paid").message).toMatch(
      /changed at payment \("0" → "1"\) and again at order_paid \("1" → "2"\): they are one purchase, granted twice/,
    );
  });

  it("failed-validation: accepting an unknown user fails; a wrong secret is not a rejection", async () => {
    const [laxHandler, otherSecret, strictUsers] = await Promise.all([
      handler({ acceptUnknownUsers: true }),
      handler({}, "another-secret"),
      handler({ acceptUnknownUsers: false }),
    ]);
    const [lax, wrongSecret, refused] = await Promise.all([
      flow(laxHandler.url, ["failed-validation", "--unknown-user", "nobody_42"]),
      flow(otherSecret.url, ["failed-validation"]),
      flow(strictUsers.url, ["purchase", "--user", "someone_else"]),
    ]);
    expect(lax.code).toBe(1);
    expect(lax.failing).toEqual(["validate-unknown"]);
    expect(lax.step("validate-unknown").message).toMatch(/accepted a user the game does not have \(204\)/);

    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.failing).toEqual(["validate-known"]);
    expect(wrongSecret.step("validate-known").message).toMatch(/INVALID_SIGNATURE.*refused the signature of a correctly signed body/);
    expect(wrongSecret.step("validate-unknown")).toMatchObject({ outcome: "not-run" });

    expect(refused.failing).toEqual(["validate-1"]);
    expect(refused.step("order_paid").message).toMatch(/Xsolla sends nothing after a refused user_validation/);
  });
});

describe("flow --reporter github", () => {
  it("annotates the step that broke and appends the job summary", async () => {
    const lax = await handler({ acceptUnknownUsers: true });
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-flow-gh-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const summaryFile = join(dir, "summary.md");
    writeFileSync(summaryFile, "earlier step\n");
    const result = await runCli(
      ["flow", "failed-validation", "--unknown-user", "nobody_42", "--url", lax.url, "--secret", SECRET, "--reporter", "github"],
      { env: { GITHUB_STEP_SUMMARY: summaryFile }, timeoutMs: 30_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error title=xsolla-hooks flow failed-validation%3A validate-unknown::.*accepted a user/m);
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary.startsWith("earlier step\n")).toBe(true);
    expect(summary).toMatch(/validate-unknown/);
  });
});

describe("custom flows, listing and bad input", () => {
  function configDir(config: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-flow-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "xsolla-hooks.config.json"), JSON.stringify(config));
    return dir;
  }

  it("a custom flow from the config runs with `from` references, and is listed", async () => {
    const server = await receiver();
    const cwd = configDir({
      flows: {
        "gift-and-refund": {
          description: "a payment refunded the next day",
          steps: [
            { id: "buy", type: "payment", set: { "purchase.total.amount": 4.99 } },
            {
              id: "undo",
              type: "refund",
              set: { "transaction.id": { from: "buy.transaction.id" }, "purchase.total": { from: "buy.purchase.total" } },
            },
            { id: "stranger", type: "user_validation", set: { "user.id": "nobody_7" }, reject: "INVALID_USER" },
          ],
        },
      },
    });
    const [result, list] = await Promise.all([
      runCli(["flow", "gift-and-refund", "--url", server.url, "--secret", SECRET, "--json"], { cwd }),
      runCli(["flow", "--list"], { cwd }),
    ]);
    expect(result.code).toBe(0);
    const [buy, undo] = server.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(undo.transaction.id).toBe(buy.transaction.id);
    expect(undo.purchase.total).toEqual({ currency: "USD", amount: 4.99 });
    expect(list.stdout).toMatch(/^gift-and-refund \(config\): a payment refunded the next day$/m);
  });

  it.each([
    [
      { flows: { x: { steps: [{ type: "payment", expect: "abc" }] } } },
      [],
      /^error: invalid config .*flows\.x\.steps\.0\.expect: expected status codes/,
    ],
    [
      { flows: { x: { steps: [{ id: "a", type: "refund", set: { "transaction.id": { from: "b.transaction.id" } } }] } } },
      [],
      /"b" is not an earlier step/,
    ],
    [
      {},
      ["--duplicate", "order_pad"],
      /--duplicate: flow purchase has no step "order_pad" \(did you mean order_paid\? its steps: validate-1/,
    ],
  ])("bad config or step names: one line, exit 2 (%#)", async (config, extra, message) => {
    const cwd = configDir(config);
    const name = Object.keys((config as { flows?: object }).flows ?? {})[0] ?? "purchase";
    const result = await runCli(["flow", name, "--url", "http://127.0.0.1:9/", "--secret", "s", ...extra], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unreachable handler is exit 3, and nothing after the first step is sent", async () => {
    const result = await runCli(["flow", "purchase", "--url", `http://127.0.0.1:${await refusedPort()}/`, "--secret", SECRET, "--json"]);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.steps.map((s) => s.outcome)).toEqual(["failed", "not-run", "not-run", "not-run"]);
  });
});
