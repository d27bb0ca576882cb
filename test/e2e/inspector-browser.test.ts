// `listen --ui` and `demo --ui` in a real browser: the built CLI serves the page, chromium shows it, the real `send`,
// `verify` and bash's curl take part.
import { execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../src/core/signature.js";
import { artifactsDir, CHROMIUM, NO_CHROMIUM_MESSAGE } from "../helpers/browser.js";
import { collect, runCli, startCli, waitForOutput } from "../helpers/cli.js";
import { startLoopback, type LoopbackServer } from "../helpers/loopback.js";

const SECRET = "browser-test-secret-key";
if (!CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

function post(url: string, body: Buffer | string, signature: string): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Signature ${signature}` }, body });
}

describe.skipIf(!CHROMIUM)("inspector in chromium", () => {
  let browser: Browser;
  let listener: ChildProcess;
  let inspectorUrl: string;
  let receiverUrl: string;
  let page: Page;
  const pageErrors: string[] = [];
  const peers: LoopbackServer[] = [];
  const work = mkdtempSync(join(tmpdir(), "xsolla-hooks-inspector-"));
  const shot = (name: string) => page.screenshot({ path: join(artifactsDir(), `${name}.png`) });
  const row = (n: number) => page.locator(`#list .row[data-number="${n}"]`);

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM ?? "" });
    listener = startCli(["listen", "--ui", "--ui-history", "1100", "--secret", SECRET, "--quiet"]);
    const started = await waitForOutput(listener, /Inspector: (\S+)\n[\s\S]*listening on (\S+)/);
    inspectorUrl = started[1]!;
    receiverUrl = started[2]!;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // A CSP violation (an inline script, say) or a script error shows up here.
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => void (message.type() === "error" && pageErrors.push(message.text())));
    await page.goto(inspectorUrl);
    await page.locator("#connection.live").waitFor({ timeout: 5_000 });
  }, 30_000);

  afterAll(async () => {
    listener?.kill("SIGINT");
    await browser?.close();
    for (const peer of peers) await peer.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("shows a webhook sent with `send` within a second", async () => {
    const sent = await runCli(["send", "payment", "--url", receiverUrl, "--secret", SECRET]);
    expect(sent.code).toBe(0);
    await row(1).waitFor({ timeout: 1_000 });
    const text = await row(1).innerText();
    expect(text).toMatch(/payment/);
    expect(text).toMatch(/user sample_user_1/);
    expect(text).toMatch(/valid/);
    expect(text).toMatch(/204 accepted/);
    await shot("inspector-first-delivery");
  });

  // Signed as pretty JSON, sent compact: what a handler that parses before hashing sees.
  const compact = Buffer.from(
    '{"notification_type":"payment","user":{"id":"o\'brien <img src=x onerror=alert(1)>"},"transaction":{"id":4242}}',
  );
  const prettySignature = signBody(JSON.stringify(JSON.parse(compact.toString()), null, 2), SECRET);

  it("shows a bad signature with the diagnosis `verify` gives, for the downloaded capture", async () => {
    await post(receiverUrl, compact, prettySignature);
    await row(2).click();
    await page.locator("#d-signature .bad").waitFor({ timeout: 5_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/^000002-.*-payment\.http$/);
    const verified = await runCli(["verify", "--request", file, "--secret", SECRET]);
    expect(verified.code).toBe(1);
    const verdictLine = verified.stdout.split("\n")[0]!;
    expect(verdictLine).toMatch(/^✗ body-reserialized-pretty: /);
    expect(await page.locator("#d-signature").innerText()).toContain(verdictLine);
    // The attacker-controlled body is text on the page, never markup.
    expect(await page.locator("#d-body").innerText()).toContain("<img src=x onerror=alert(1)>");
    expect(await page.locator("#detail img").count()).toBe(0);
    expect(await page.locator("body").innerText()).not.toContain(SECRET);
    await shot("inspector-bad-signature");
    // Filters: only the bad signature, then only payments with a valid one; the arrow keys walk the list.
    await page.selectOption("#filter-signature", "invalid");
    await page.locator("#shown", { hasText: "1 of 2 shown" }).waitFor({ timeout: 2_000 });
    expect(await page.locator("#list .row").count()).toBe(1);
    await page.selectOption("#filter-signature", "");
    await page.selectOption("#filter-type", "payment");
    await page.selectOption("#filter-verdict", "accepted");
    await page.locator("#shown", { hasText: "1 of 2 shown" }).waitFor({ timeout: 2_000 });
    expect(await page.locator("#list .row").getAttribute("data-number")).toBe("1");
    await page.selectOption("#filter-type", "");
    await page.selectOption("#filter-verdict", "");
    await page.focus("#list");
    await page.keyboard.press("ArrowDown");
    await page.locator("#d-title", { hasText: "#1 payment" }).waitFor({ timeout: 2_000 });
    await page.keyboard.press("ArrowUp");
    await page.locator("#d-title", { hasText: "#2 payment" }).waitFor({ timeout: 2_000 });
  });

  it("replays the delivery to a second receiver with identical bytes", async () => {
    const peer = await startLoopback();
    peers.push(peer);
    await page.fill("#target-url", peer.url);
    await page.click("#replay");
    await page.locator("#action-result", { hasText: "replayed to" }).waitFor({ timeout: 5_000 });
    const got = await peer.nextRequest();
    expect(got.body.equals(compact)).toBe(true);
    expect(got.headers.authorization).toBe(`Signature ${prettySignature}`);
    expect(await page.locator("#action-result").innerText()).toMatch(/204/);
  });

  it("shows a curl command that re-sends the same bytes when run in bash", async () => {
    const peer = await startLoopback();
    peers.push(peer);
    await page.fill("#target-url", peer.url);
    await page.click("#copy-curl");
    await page.locator("#curl").waitFor({ state: "visible", timeout: 5_000 });
    const command = await page.locator("#curl").textContent();
    const { stdout } = await promisify(execFile)("bash", ["-c", command ?? ""], { encoding: "utf8", timeout: 10_000 });
    expect(stdout).toMatch(/^HTTP\/1\.1 204/);
    expect(peer.requests[0]?.body.equals(compact)).toBe(true);
    expect(peer.requests[0]?.headers.authorization).toBe(`Signature ${prettySignature}`);
  });

  it("stays responsive with a 1 MiB body and 1000 deliveries", async () => {
    const before = Number(/^(\d+) received/.exec(await page.locator("#counts").innerText())?.[1]);
    const head = '{"notification_type":"payment","user":{"id":"big_body_user"},"padding":"';
    const big = Buffer.from(head + "x".repeat(1024 * 1024 - head.length - 2) + '"}');
    expect(big.length).toBe(1024 * 1024);
    expect((await post(receiverUrl, big, signBody(big, SECRET))).status).toBe(204);
    const bigNumber = before + 1;
    const small = '{"notification_type":"user_validation","user":{"id":"sample_user_1"}}';
    const signature = signBody(small, SECRET);
    for (let sent = 0; sent < 1000; sent += 25) {
      await Promise.all(Array.from({ length: 25 }, () => post(receiverUrl, small, signature).then((r) => r.arrayBuffer())));
    }
    await page.locator("#counts", { hasText: `${bigNumber + 1000} received` }).waitFor({ timeout: 30_000 });
    // The list renders the rows in view, not a thousand.
    expect(await page.locator("#list .row").count()).toBeLessThan(100);
    // A string: this runs in the page, and the tests are compiled without the DOM's types.
    await page.evaluate('(() => { const list = document.getElementById("list"); list.scrollTop = list.scrollHeight; })()');
    await row(1).waitFor({ timeout: 5_000 });
    expect(await page.locator("#list .row").count()).toBeLessThan(100);
    await page.fill("#search", "big_body_user");
    await row(bigNumber).click({ timeout: 5_000 });
    await page.locator("#d-body-size", { hasText: "1048576 bytes" }).waitFor({ timeout: 5_000 });
    expect(await page.locator("#d-body-note").innerText()).toMatch(/Showing the first \d+ characters/);
    // Still answering: a round trip into the page completes well within a bound a frozen page would miss.
    expect(await Promise.race([page.evaluate(() => 42), new Promise((resolve) => setTimeout(() => resolve("frozen"), 5_000))])).toBe(42);
    await page.fill("#search", "");
    await shot("inspector-1000-deliveries");
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("demo --ui keeps the page open with the whole catalog until Ctrl-C, then exits with the demo's code", async () => {
    const demo = startCli(["demo", "--ui"]);
    const done = collect(demo, { timeoutMs: 30_000 });
    const [, passed, cases, url] = await waitForOutput(demo, /(\d+) of (\d+) as expected[\s\S]*The inspector stays open at (\S+)/);
    expect(passed).toBe(cases);
    const demoPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await demoPage.goto(url!);
    // Every case reached the receiver once, so every one is on the page.
    await demoPage.locator("#counts", { hasText: `${cases} received` }).waitFor({ timeout: 5_000 });
    await demoPage.locator(".row", { hasText: "INVALID_SIGNATURE" }).first().click();
    await demoPage.locator("#d-signature .bad").waitFor({ timeout: 5_000 });
    await demoPage.screenshot({ path: join(artifactsDir(), "inspector-demo.png") });
    await demoPage.close();
    demo.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(0);
  }, 40_000);
});
