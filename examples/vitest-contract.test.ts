// xsolla-hooks inside your own test suite (vitest here; jest is the same): start your handler, run Xsolla's webhook
// contract against it, and drive your own business cases with signed webhooks built from the catalog.
// This file runs in xsolla-hooks' own test suite against examples/handler-node, so it cannot rot.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPayload, findFixture, loadBuiltinFixtures, runContractSuite, sendWebhook, type JsonObject } from "xsolla-hooks";

const SECRET = "vitest-contract-secret";
let handler: ChildProcess;
let url = "";

// Your handler, started the way you run it. Here: the example handler, on a free port.
beforeAll(async () => {
  const server = fileURLToPath(new URL("./handler-node/server.ts", import.meta.url));
  handler = spawn(process.execPath, ["--import", "tsx", server], {
    env: { ...process.env, XSOLLA_WEBHOOK_SECRET: SECRET, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  while (!/listening on (\S+)\n/.test(output)) {
    const [chunk] = (await once(handler.stdout!, "data")) as [Buffer];
    output += chunk.toString();
  }
  url = /listening on (\S+)\n/.exec(output)![1]!;
});
afterAll(() => {
  handler.kill();
});

const fixtures = loadBuiltinFixtures();

/** A signed catalog webhook with your own values; fresh ids and dates unless you set them. */
async function deliver(type: string, sets: JsonObject): Promise<number | null> {
  const payload = buildPayload(findFixture(fixtures, type), {
    sets: Object.entries(sets).map(([path, value]) => ({ path, value })),
    context: { now: Date.now(), rand: Math.random },
  });
  const result = await sendWebhook({ url, secret: SECRET, body: payload.bytes });
  const last = result.attempts.at(-1)?.result;
  return last?.kind === "reply" ? last.status : null;
}

async function account(): Promise<{ gems: number; grants: { transactionId: string | null; status: string }[] }> {
  const response = await fetch(new URL("/state?user=sample_user_1&format=json", url));
  return (await response.json()) as { gems: number; grants: { transactionId: string | null; status: string }[] };
}

describe("our Xsolla webhook handler", () => {
  it("honours Xsolla's webhook contract", async () => {
    const result = await runContractSuite({ url, secret: SECRET, strict: true });
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
  }, 60_000);

  it("takes back half of a half-refunded purchase, then the rest on the refund", async () => {
    const before = await account();
    expect(await deliver("payment", { "transaction.id": 7100001, "payment_details.payment.amount": 10 })).toBe(204);
    expect((await account()).gems).toBe(before.gems + 1000);
    expect(await deliver("partial_refund", { "transaction.id": 7100001, "payment_details.payment.amount": 5 })).toBe(204);
    expect((await account()).gems).toBe(before.gems + 500);
    expect(await deliver("refund", { "transaction.id": 7100001 })).toBe(204);
    const after = await account();
    expect(after.gems).toBe(before.gems);
    expect(after.grants.find((g) => g.transactionId === "7100001")?.status).toBe("refunded");
  });

  it("grants a redelivered payment once", async () => {
    const body: JsonObject = { "transaction.id": 7100002 };
    const before = await account();
    await deliver("payment", body);
    await deliver("payment", body);
    expect((await account()).gems - before.gems).toBe(999);
  });
});
