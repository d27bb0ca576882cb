// examples/handler-node must stay what the README says it is: a handler that passes the strict suite, every type,
// with the state probe, and takes back what refunds and canceled orders name. Run as users run it (tsx), on loopback.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPayload, findFixture, loadBuiltinFixtures, sendWebhook, type JsonObject } from "../../src/index.js";
import { ROOT, runCli, waitForOutput } from "../helpers/cli.js";

const SECRET = "example-handler-secret";
/** The users the flows below buy as: the handler's user table knows them. */
const FLOW_USERS = Array.from({ length: 10 }, (_, index) => `flow_user_${index}`);
let handler: ChildProcess;
let url = "";
let base = "";

beforeAll(async () => {
  handler = spawn(process.execPath, ["--import", "tsx", join(ROOT, "examples", "handler-node", "server.ts")], {
    cwd: ROOT,
    env: { ...process.env, XSOLLA_WEBHOOK_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", KNOWN_USERS: FLOW_USERS.join(",") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = await waitForOutput(handler, /listening on (http:\/\/\S+)\n/);
  url = match[1] as string;
  base = url.replace(/\/webhook$/, "");
});
afterAll(() => {
  handler.kill("SIGTERM");
});

// The probe reads the handler's /state endpoint with node itself, so the test needs no curl.
const probe = () =>
  `"${process.execPath}" -e "fetch('${base}/state?user=' + encodeURIComponent(process.env.XSOLLA_HOOKS_USER_ID)).then((r) => r.text()).then((t) => process.stdout.write(t))"`;

interface Account {
  gems: number;
  inventory: Record<string, number>;
  grants: { transactionId: string | null; orderId: string | null; status: string; gems: number }[];
  subscriptions: Record<string, { status: string }>;
}
async function account(user = "sample_user_1"): Promise<Account> {
  return (await (await fetch(`${base}/state?user=${user}&format=json`)).json()) as Account;
}
const fixtures = loadBuiltinFixtures();
async function send(type: string, sets: JsonObject): Promise<void> {
  const payload = buildPayload(findFixture(fixtures, type), {
    sets: Object.entries(sets).map(([path, value]) => ({ path, value })),
    context: { now: Date.now(), rand: Math.random },
  });
  const result = await sendWebhook({ url, secret: SECRET, body: payload.bytes });
  expect(result.outcome, type).toBe("delivered");
}

describe("examples/handler-node", () => {
  it("passes xsolla-hooks test --strict --types all with the state probe", async () => {
    const result = await runCli(
      ["test", "--url", url, "--secret", SECRET, "--strict", "--types", "all", "--state-probe", probe(), "--reporter", "json"],
      { timeoutMs: 60_000 },
    );
    const report = JSON.parse(result.stdout) as { stateProbe: boolean; checks: { id: string; ok: boolean; note: string | null }[] };
    const failing = report.checks.filter((c) => !c.ok);
    expect(failing, result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.stateProbe).toBe(true);
    // The probe saw each first delivery change the state (no "may not observe" note).
    const idempotency = report.checks.filter((c) => c.id.startsWith("idempotent-"));
    expect(idempotency).toHaveLength(4);
    for (const check of idempotency) expect(check.note, check.id).toBeNull();
  }, 60_000);

  it("passes every built-in flow, both modes, with the state probe and the duplicate and race perturbations", async () => {
    const runs: string[][] = [
      ["purchase", "--duplicate", "order_paid"],
      ["purchase", "--concurrent", "order_paid"],
      ["purchase", "--mode", "separate", "--duplicate", "payment", "--swap", "validate-3,validate-2"],
      ["refund"],
      ["refund", "--mode", "separate"],
      ["partial-refund"],
      ["partial-refund", "--mode", "separate"],
      ["failed-validation"],
      ["subscription"],
      ["non-renewal"],
    ];
    // Each run its own user (the story's user id is the probe's key), so the runs cannot see each other's grants.
    const results = await Promise.all(
      runs.map((args, index) =>
        runCli(["flow", ...args, "--user", `flow_user_${index}`, "--url", url, "--secret", SECRET, "--state-probe", probe(), "--json"], {
          timeoutMs: 60_000,
        }),
      ),
    );
    results.forEach((result, index) => {
      const report = JSON.parse(result.stdout) as { ok: boolean; steps: { id: string; outcome: string; message: string }[] };
      const failing = report.steps.filter((s) => s.outcome !== "passed").map((s) => `${s.id}: ${s.message}`);
      expect(failing, `${runs[index]?.join(" ")}\n${result.stderr}`).toEqual([]);
      expect(result.code).toBe(0);
    });
  }, 90_000);

  // Refunds and partial refunds: examples/vitest-contract.test.ts. Here the rest, sent in-process (fast, same bytes).
  it("a canceled order takes back its items; subscriptions follow create, non-renewal and cancel", async () => {
    const before = await account();
    await send("order_paid", { "order.id": 9200001 });
    expect((await account()).inventory["crystal_sword"]).toBe((before.inventory["crystal_sword"] ?? 0) + 1);
    await send("order_canceled", { "order.id": 9200001 });
    await send("order_canceled", { "order.id": 9200001 });
    const after = await account();
    expect(after.inventory["crystal_sword"]).toBe(before.inventory["crystal_sword"] ?? 0);
    expect(after.grants.find((g) => g.orderId === "9200001")?.status).toBe("canceled");

    await send("create_subscription", { "subscription.subscription_id": "9300001" });
    expect((await account()).subscriptions["9300001"]?.status).toBe("active");
    await send("non_renewal_subscription", { "subscription.subscription_id": "9300001" });
    expect((await account()).subscriptions["9300001"]?.status).toBe("non_renewing");
    await send("cancel_subscription", { "subscription.subscription_id": "9300001" });
    expect((await account()).subscriptions["9300001"]?.status).toBe("canceled");
  });
});
