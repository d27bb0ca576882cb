// Verdicts you can trust, through the built CLI: no green for the wrong reason, evidence with every
// failure, causes named only when the evidence shows them, and side effects seen with a state probe.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startHandler, type HandlerFlaws, type TestHandler } from "../helpers/handlers.js";
import { refusedPort, startLoopback } from "../helpers/loopback.js";

const SECRET = "verdict-secret-0123456789";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function handler(flaws: HandlerFlaws = {}, secret = SECRET): Promise<TestHandler> {
  const server = await startHandler(secret, flaws);
  cleanup.push(() => server.close());
  return server;
}

interface Check {
  id: string;
  ok: boolean;
  outcome: "passed" | "failed" | "not-run";
  status: number | null;
  message: string;
  note: string | null;
  request: { notificationType: string | null; transactionId: string | null } | null;
  response: { status: number; contentType: string | null; body: string; bodyTruncated: boolean } | null;
  error: string | null;
}
interface Report {
  ok: boolean;
  passed: number;
  failed: number;
  notRun: number;
  stateProbe: boolean;
  checks: Check[];
}

async function suite(url: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = await runCli(["test", "--url", url, "--secret", SECRET, "--json", ...args], { timeoutMs: 40_000, env });
  const report = JSON.parse(result.stdout) as Report;
  const check = (id: string) => {
    const found = report.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(", ")}`);
    return found;
  };
  return { code: result.code, stderr: result.stderr, report, check };
}

/** A probe that reads the count from the handler's state files: cheap enough to run a dozen times. */
const FILE_PROBE = `cat "$STATE_DIR/$XSOLLA_HOOKS_USER_ID" 2>/dev/null || echo 0`;

/** A probe that asks the handler over HTTP how many purchases it credited to the webhook's user. */
const PROBE = `node -e "fetch(process.env.STATE_URL + '?user=' + process.env.XSOLLA_HOOKS_USER_ID).then(r => r.text()).then(t => process.stdout.write(t))"`;

describe("state probes see what status codes cannot", { timeout: 60_000 }, () => {
  it("a handler that credits a redelivery again answers 204 twice: passes without a probe (saying so), fails with one", async () => {
    const server = await handler({ creditTwice: true });
    const blind = await suite(server.url, ["--types", "payment"]);
    expect(blind.check("idempotent-redelivery:payment")).toMatchObject({
      ok: true,
      note: expect.stringMatching(/side effects were not observed/),
    });
    expect(blind.check("idempotent-redelivery:payment").message).toMatch(/add --state-probe/);
    expect(blind.report.stateProbe).toBe(false);

    const seen = await suite(server.url, ["--types", "payment", "--state-probe", PROBE], { STATE_URL: server.stateUrl });
    expect(seen.code).toBe(1);
    expect(seen.report.stateProbe).toBe(true);
    const redelivery = seen.check("idempotent-redelivery:payment");
    expect(redelivery.outcome).toBe("failed");
    expect(redelivery.message).toMatch(
      /answered 204 both times, but the redelivery changed the state \(probe: "\d+" → "\d+" → "\d+"\): the same transaction was processed twice/,
    );
  });

  it("a correct handler with the probe passes both idempotency checks, and the state changed exactly once", async () => {
    const server = await handler();
    const { code, check } = await suite(server.url, ["--types", "payment,order_paid", "--strict", "--state-probe", FILE_PROBE], {
      STATE_DIR: server.stateDir,
    });
    expect(code).toBe(0);
    expect(check("idempotent-redelivery:order_paid").message).toMatch(/the state changed once \("\d+" → "\d+"\) and not again/);
    expect(check("idempotent-concurrent:payment").message).toMatch(/the pair changed the state by 1, as one delivery does/);
  });

  it("a check-then-act handler is idempotent one by one but credits twice when both arrive at once", async () => {
    const server = await handler({ raceOnDuplicates: true });
    const { code, check } = await suite(server.url, ["--types", "order_paid", "--state-probe", FILE_PROBE], { STATE_DIR: server.stateDir });
    expect(code).toBe(1);
    expect(check("idempotent-redelivery:order_paid").ok).toBe(true);
    expect(check("idempotent-concurrent:order_paid")).toMatchObject({ outcome: "failed" });
    expect(check("idempotent-concurrent:order_paid").message).toMatch(
      /two deliveries at once changed the state by 2 where one delivery changes it by 1/,
    );
  });

  it("a probe that fails is reported, never read as a state", async () => {
    const server = await handler();
    const { code, check } = await suite(server.url, ["--types", "payment", "--state-probe", "echo broken >&2; exit 3"]);
    expect(code).toBe(1);
    expect(check("idempotent-redelivery:payment").message).toMatch(/the state probe failed: exit 3: broken/);
  });
});

describe("one cause, said once", () => {
  it("every request 500: the first check says so for all, the checks that need an accepted webhook are not run", async () => {
    const server = await handler({ alwaysFail: true });
    const { code, report, check } = await suite(server.url);
    expect(code).toBe(1);
    expect(check("accepts-signed:user_validation").message).toMatch(/^every correctly signed webhook got 500 \(text\/html\): 5 of 5 types/);
    expect(check("accepts-signed:payment").message).toBe("got 500, like every other type (see accepts-signed:user_validation)");
    for (const id of [
      "rejects-bad-signature",
      "hashes-raw-body",
      "idempotent-redelivery:payment",
      "rejects-unknown-user",
      "tolerates-unknown-type",
    ]) {
      expect(check(id)).toMatchObject({ outcome: "not-run", ok: false });
      expect(check(id).message).toMatch(/^not run: accepts-signed:\w+ failed \(got 500\)/);
    }
    expect(report.failed).toBe(5);
    expect(report.notRun).toBe(15);
    // No invented causes anywhere.
    expect(JSON.stringify(report)).not.toMatch(/re-serializ|does not check the signature|decodes each piece/);
  });

  it("a handler with another secret refuses everything as INVALID_SIGNATURE: no rejection check passes for that reason", async () => {
    const server = await handler({}, "a-different-secret");
    const { code, report, check } = await suite(server.url);
    expect(code).toBe(1);
    expect(check("accepts-signed:user_validation").message).toMatch(/got 400 INVALID_SIGNATURE/);
    expect(report.checks.filter((c) => c.id.startsWith("rejects-")).every((c) => c.outcome === "not-run")).toBe(true);
    expect(report.passed).toBe(1); // responds-in-time alone
  });

  it("malformed JSON answered with a bare 400 is 'no error.code', not a crash", async () => {
    const server = await handler({ bareParseErrors: true });
    const { check } = await suite(server.url, ["--types", "payment"]);
    expect(check("rejects-malformed-json").message).toBe(
      "answered 400 with no error.code in the body; expected a 4xx with error.code INVALID_PARAMETER",
    );
  });
});

describe("evidence with every failure, in every reporter", () => {
  const bigBody = JSON.stringify({ error: { code: "INVALID_USER", message: "x".repeat(5000) } });

  async function wrongUsers() {
    // Accepts every user: rejects-unknown-user fails; its reply has a 5 KB body.
    const server = await startLoopback((req, res) => {
      let body: { user?: { id?: string } };
      try {
        body = JSON.parse(req.body.toString("utf8")) as typeof body;
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"code":"INVALID_PARAMETER","message":"not JSON"}}');
        return;
      }
      const testUser = body.user?.id?.startsWith("test_xsolla") === true;
      res.writeHead(testUser ? 200 : 204, { "content-type": "application/json; charset=utf-8" }).end(testUser ? bigBody : "");
    });
    cleanup.push(() => server.close());
    return server;
  }

  it("json: request and response of the failing check, the body cut at 2 KiB and marked", async () => {
    const server = await wrongUsers();
    const { check } = await suite(server.url, ["--types", "user_validation"]);
    const failing = check("rejects-unknown-user");
    expect(failing.outcome).toBe("failed");
    expect(failing.request).toEqual({ notificationType: "user_validation", transactionId: null });
    expect(failing.response).toMatchObject({ status: 200, contentType: "application/json; charset=utf-8", bodyTruncated: true });
    expect(failing.response?.body).toHaveLength(2048);
  });

  it("junit: <failure> and <system-out> carry the evidence; not-run checks are <skipped>", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-verdicts-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await wrongUsers();
    const result = await runCli(
      ["test", "--url", server.url, "--secret", SECRET, "--types", "user_validation", "--reporter", "junit", "--output", "r.xml"],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(join(dir, "r.xml"), "utf8"));
    const cases = xml.testsuites.testsuite.testcase as { name: string; failure?: { "#text": string }; "system-out"?: string }[];
    const failing = cases.find((c) => c.name === "rejects-unknown-user");
    expect(failing?.failure?.["#text"]).toMatch(/request: user_validation\nresponse: 200 application\/json; charset=utf-8 "/);
    expect(failing?.["system-out"]).toMatch(/\(cut at 2 KiB\)/);

    const down = await handler({ alwaysFail: true });
    await runCli(["test", "--url", down.url, "--secret", SECRET, "--reporter", "junit", "--output", "r.xml"], { cwd: dir });
    const skipped = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(join(dir, "r.xml"), "utf8"))
      .testsuites.testsuite;
    expect(Number(skipped.skipped)).toBe(15);
    expect(
      (skipped.testcase as { name: string; skipped?: { message: string } }[]).find((c) => c.name === "hashes-raw-body")?.skipped?.message,
    ).toMatch(/^not run: /);
  });

  it("tap and pretty: the response under the failure; not-run checks are SKIP", async () => {
    const server = await wrongUsers();
    const tap = await runCli(["test", "--url", server.url, "--secret", SECRET, "--types", "user_validation", "--reporter", "tap"]);
    expect(tap.stdout).toMatch(
      /not ok \d+ - rejects-unknown-user\n {2}---\n[\s\S]*? {2}response:\n {4}status: 200\n {4}content_type: "application\/json; charset=utf-8"\n {4}body: "[^\n]+"\n {4}body_truncated: true\n/,
    );
    const pretty = await runCli(["test", "--url", server.url, "--secret", SECRET, "--types", "user_validation"]);
    expect(pretty.stdout).toMatch(
      /✗ rejects-unknown-user .*\n\s+request: user_validation\n\s+response: 200 application\/json; charset=utf-8 ".*\(cut at/,
    );
    const down = await handler({ alwaysFail: true });
    const skip = await runCli(["test", "--url", down.url, "--secret", SECRET, "--reporter", "tap"]);
    expect(skip.stdout).toMatch(/^ok \d+ - hashes-raw-body # SKIP not run: accepts-signed:payment failed \(got 500\)/m);
    expect(skip.stdout).toMatch(/# skip 15\n$/);
  });
});

/** user_validation for a user no handler here knows, with the given flags. */
const sendNobody = (args: string[]) => runCli(["send", "user_validation", "--set", "user.id=nobody_42", ...args]);

describe("--expect names status and error code", () => {
  it("a bare 4xx never passes on INVALID_SIGNATURE of a correctly signed request; 4xx:INVALID_USER passes on the right rejection", async () => {
    const wrongSecret = await handler({}, "another-secret");
    const bare = await sendNobody(["--expect", "4xx", "--url", wrongSecret.url, "--secret", SECRET]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toMatch(/status 400 INVALID_SIGNATURE: the handler rejected the signature/);
    expect(bare.stdout).toMatch(/hint: the handler refused a body signed with the secret you passed/);

    const right = await handler();
    const exact = await sendNobody(["--expect", "4xx:INVALID_USER", "--url", right.url, "--secret", SECRET, "--json"]);
    expect(exact.code).toBe(0);
    expect(JSON.parse(exact.stdout)).toMatchObject({ ok: true, expected: "4xx with error.code INVALID_USER" });
    const wrongCode = await sendNobody(["--expect", "400:INVALID_SIGNATURE", "--url", right.url, "--secret", SECRET]);
    expect(wrongCode.code).toBe(1);
    expect(wrongCode.stdout).toMatch(/status 400 with error.code INVALID_USER, expected error.code INVALID_SIGNATURE/);
  });

  it("send --retry --expect-final: the same rule", async () => {
    const wrongSecret = await handler({}, "another-secret");
    const bare = await sendNobody(["--retry", "--expect-final", "4xx", "--url", wrongSecret.url, "--secret", SECRET]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toMatch(/ended with status 400 INVALID_SIGNATURE: the handler rejected the signature/);
    const right = await handler();
    const exact = await sendNobody(["--retry", "--expect-final", "4xx:INVALID_USER", "--url", right.url, "--secret", SECRET]);
    expect(exact.code).toBe(0);
  });

  it("bad grammar is a usage error", async () => {
    for (const expect_ of ["4xx:", "4xx:INVALID USER", "4xx:A:B"]) {
      const result = await runCli(["send", "payment", "--expect", expect_, "--url", "http://127.0.0.1:9/", "--secret", SECRET]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: invalid --expect/);
    }
  });
});

describe("send and test never disagree without saying why", () => {
  it("a re-serializing handler: send (pretty) fails and says compact would pass; with --body-format compact it passes, as test's accepts-signed does", async () => {
    const server = await handler({ verify: "reserialize" });
    const pretty = await runCli(["send", "payment", "--url", server.url, "--secret", SECRET]);
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toMatch(/This request carried pretty-printed JSON \(\d+ bytes\); send it again with --body-format compact/);
    const compact = await runCli(["send", "payment", "--body-format", "compact", "--url", server.url, "--secret", SECRET]);
    expect(compact.code).toBe(0);
    const { check } = await suite(server.url, ["--types", "payment"]);
    expect(check("accepts-signed:payment").ok).toBe(true);
    expect(check("hashes-raw-body").message).toMatch(
      /while the same payment as compact JSON was accepted: the handler most likely re-serializes/,
    );
  });
});

describe("selections and reports", () => {
  it("--types all covers every catalog entry, variants included", async () => {
    const server = await handler();
    const { report } = await suite(server.url, ["--types", "all"]);
    const ids = report.checks.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining(["accepts-signed:order_paid.separate", "accepts-signed:order_canceled.separate", "accepts-signed:order_paid"]),
    );
  });

  it("--types '' is a usage error, not a green run without webhooks", async () => {
    const result = await runCli(["test", "--url", "http://127.0.0.1:9/", "--secret", SECRET, "--types", ""]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --types is empty/);
    expect((await runCli(["test", "--url", "http://127.0.0.1:9/", "--secret", SECRET, "--types", " , "])).code).toBe(2);
  });

  it("unreachable: the report still comes out, every check failed with the reason, responds-in-time too; exit 3", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-verdicts-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `http://127.0.0.1:${await refusedPort()}/`;
    const json = await runCli(["test", "--url", url, "--secret", SECRET, "--json", "--types", "payment"]);
    expect(json.code).toBe(3);
    expect(json.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error: could not reach .*connection refused/)]);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.checks.filter((c) => c.id !== "error-body-shape").every((c) => c.outcome === "failed")).toBe(true);
    expect(report.checks.find((c) => c.id === "responds-in-time")?.message).toBe("no request got an answer, so timing could not be judged");
    expect(report.checks[0]?.error).toMatch(/connection refused/);
    const junit = await runCli(
      ["test", "--url", url, "--secret", SECRET, "--reporter", "junit", "--output", "r.xml", "--types", "payment"],
      { cwd: dir },
    );
    expect(junit.code).toBe(3);
    expect(readFileSync(join(dir, "r.xml"), "utf8")).toMatch(/<failure message="no answer: connection refused/);
  });
});
