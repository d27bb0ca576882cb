// Terminal behaviour of the built CLI: a real pseudo-terminal (tmux) for the wizard, pipes for CI.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { startHandler } from "../helpers/handlers.js";
import { refusedPort, startLoopback, type LoopbackServer } from "../helpers/loopback.js";
import { startReceiver } from "../../src/server/receiver.js";
import { startMockEventApi } from "../../src/events-api/mock-server.js";

const SECRET = "tty-secret-value-9";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});
const ESC = "\u001b";

describe("pipes and CI", () => {
  it("no arguments prints help; interactive refuses without a terminal, naming what to do instead", async () => {
    const help = await runCli([]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: xsolla-hooks/);
    const wizard = await runCli(["interactive"]);
    expect(wizard.code).toBe(2);
    expect(wizard.stderr).toMatch(/^error: interactive mode needs a terminal \(run a command with flags instead/);
  });

  it("never writes control sequences to a pipe, even with colour-worthy results; FORCE_COLOR turns colour on, --no-color off", async () => {
    const server = await startHandler(SECRET);
    cleanup.push(() => server.close());
    for (const args of [
      ["demo"],
      ["list"],
      ["send", "payment", "--url", server.url, "--secret", SECRET],
      ["send", "payment", "--url", server.url, "--secret", "wrong"],
      ["test", "--url", server.url, "--secret", SECRET],
      ["send", "order_paid", "--retry", "--url", server.url, "--secret", "wrong"],
    ]) {
      const result = await runCli(args, { env: { NO_COLOR: undefined } });
      expect(result.stdout + result.stderr, args.join(" ")).not.toContain(ESC);
    }
    const forced = await runCli(["demo"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain(`${ESC}[32m`);
    const noColor = await runCli(["demo", "--no-color"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toContain(ESC);
  });

  it("completion bash completes commands, webhook types and flags", async () => {
    const script = (await runCli(["completion", "bash"])).stdout;
    const complete = (line: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${line.length - 1}; _xsolla_hooks; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: "utf8" },
      )
        .trim()
        .split(/\s+/);
    expect(complete(["xsolla-hooks", "se"])).toEqual(["send"]);
    expect(complete(["xsolla-hooks", "send", "order_p"])).toEqual(expect.arrayContaining(["order_paid", "order_paid.separate"]));
    expect(complete(["xsolla-hooks", "send", "--ret"])).toEqual(["--retry"]);
    expect(complete(["xsolla-hooks", "test", "--reporter", ""])).toEqual(["pretty", "json", "junit", "tap", "github"]);
    for (const shell of ["zsh", "fish"]) {
      const result = await runCli(["completion", shell]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("order_paid");
    }
    expect((await runCli(["completion", "powershell"])).code).toBe(2);
  });
});

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

// One tmux server for the file, started with a clean environment and no user config, so nothing
// from the developer's shell (XSOLLA_* variables, ~/.tmux.conf, their own state file) gets in.
// Each test opens a session in it and kills that session in teardown.
describe.runIf(hasTmux)("a real terminal (tmux): every branch of the wizard", () => {
  let root = "";
  let socket = "";
  let sessions = 0;
  const serverEnv = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root, LANG: "C.UTF-8" });
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-u", "-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: serverEnv() });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "xsolla-hooks-tmux-"));
    socket = join(root, "tmux.sock");
    tmux("start-server", ";", "set-option", "-s", "exit-empty", "off");
  });
  afterAll(() => {
    spawnSync("tmux", ["-S", socket, "kill-server"]);
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh XDG_CONFIG_HOME whose remembered state points at `decoy`, a peer nothing should reach. */
  async function rememberedElsewhere(): Promise<{ xdg: string; statePath: string; decoy: LoopbackServer }> {
    const decoy = await startLoopback();
    cleanup.push(() => decoy.close());
    const xdg = mkdtempSync(join(root, "xdg-"));
    const statePath = join(xdg, "xsolla-hooks", "state.json");
    mkdirSync(join(xdg, "xsolla-hooks"));
    writeFileSync(statePath, JSON.stringify({ lastUrl: decoy.url, lastType: "refund" }));
    return { xdg, statePath, decoy };
  }

  /** Starts the built CLI in a new session of the shared server; the session is killed after the test. */
  function terminal(options: { xdg: string; env?: Record<string, string>; args?: string[]; cwd?: string }) {
    const session = `t${++sessions}`;
    const env = { XDG_CONFIG_HOME: options.xdg, NO_COLOR: "1", ...options.env };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const command = [process.execPath, BIN, ...(options.args ?? [])].map((w) => `'${w}'`).join(" ");
    tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "160",
      "-y",
      "50",
      "-c",
      options.cwd ?? root,
      ...envArgs,
      `${command}; echo "EXIT=$?"; sleep 60`,
    );
    cleanup.push(() => spawnSync("tmux", ["-S", socket, "kill-session", "-t", session]));

    /** Everything the session printed, scrollback included, wrapped lines joined. */
    const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session);
    /** Prompt lines: "? message" while active, "✔ message answer" once answered. */
    const headers = (text: string) => text.split("\n").filter((line) => /^[?✔] /.test(line));
    let answered = 0;
    const until = async (pattern: string | RegExp, check = (_: string) => true): Promise<string> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const now = screen();
        if ((typeof pattern === "string" ? now.includes(pattern) : pattern.test(now)) && check(now)) return now;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${now}`);
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    const keys = (...k: string[]) => void tmux("send-keys", "-t", session, ...k);
    const term = {
      screen,
      until,
      keys,
      /** Waits until a new prompt (one after the last answered) is active and its message starts with `message`; returns its line. */
      async prompt(message: string): Promise<string> {
        const now = await until(`? ${message}`, (text) => {
          const all = headers(text);
          return all.length > answered && (all[all.length - 1] ?? "").startsWith(`? ${message}`);
        });
        return headers(now).at(-1) as string;
      },
      /** Types `text` (if any) into the active prompt and presses Enter. */
      answer(text?: string) {
        answered = headers(screen()).length;
        if (text) keys("-l", text);
        keys("Enter");
      },
      /** Picks the `index`-th choice of the active select prompt. */
      choose(index: number) {
        answered = headers(screen()).length;
        for (let i = 0; i < index; i++) keys("Down");
        keys("Enter");
      },
      /** Answers the key-field prompts (typing `values[path]` where given) until the URL prompt; returns its line. */
      async fieldsUntilUrl(values: Record<string, string> = {}): Promise<string> {
        for (let i = 0; i < 12; i++) {
          const line = await term.prompt("");
          if (line.startsWith("? Handler URL")) return line;
          const path = /^\? ([\w.]+) \(/.exec(line)?.[1] ?? "";
          term.answer(values[path]);
        }
        throw new Error(`no URL prompt; screen:\n${screen()}`);
      },
      exit: async () => Number((await until(/^EXIT=\d+$/m)).match(/^EXIT=(\d+)$/m)?.[1]),
    };
    return term;
  }

  const SEND = 0;
  const RETRY = 1;
  const TEST = 2;
  const VERIFY = 3;
  const EVENTS = 4;
  const LISTEN = 5;

  it("send: a new user runs xsolla-hooks; XSOLLA_WEBHOOK_URL wins over the remembered URL; Send again switches the target", async () => {
    const { xdg, statePath, decoy } = await rememberedElsewhere();
    const receiver = await startReceiver({ secret: SECRET });
    cleanup.push(() => receiver.close());
    const other = await startHandler("other-secret-31");
    cleanup.push(() => other.close());
    const t = terminal({ xdg, env: { XSOLLA_WEBHOOK_URL: receiver.url } });

    await t.prompt("What do you want to do?");
    t.choose(SEND);
    await t.prompt("Webhook type");
    expect(t.screen()).toMatch(/❯ refund \(last used\)/);
    t.keys("-l", "payment");
    await t.until(/❯ payment\b/);
    t.answer();
    expect(await t.fieldsUntilUrl({ "user.id": "tmux_player_1" })).toBe(`? Handler URL (from XSOLLA_WEBHOOK_URL) (${receiver.url})`);
    t.answer();
    await t.prompt("Webhook secret");
    t.answer(SECRET);
    await t.prompt("Next");
    expect(t.screen()).toContain("✓ as expected");

    t.choose(1); // Send again to another handler
    expect(await t.prompt("Handler URL")).toBe(`? Handler URL (current) (${receiver.url})`);
    t.answer(other.url);
    expect(await t.prompt("Webhook secret")).toBe("? Webhook secret (Enter keeps the current one)");
    t.answer("other-secret-31");
    await t.prompt("Next");
    expect(t.screen().match(/✓ as expected/g)).toHaveLength(2);

    t.choose(3); // Show the equivalent command line
    const shown = await t.until(`--url ${other.url} --secret "$XSOLLA_WEBHOOK_SECRET"`);
    expect(shown).toContain("xsolla-hooks send payment --set-string user.id=tmux_player_1");
    await t.prompt("Next");
    t.answer(); // Quit is the default once the command line was shown
    expect(await t.exit()).toBe(0);

    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.answer).toMatchObject({ status: 204, verdict: "accepted" });
    expect(JSON.parse(receiver.requests[0]?.body.toString() ?? "{}")).toMatchObject({
      notification_type: "payment",
      user: { id: "tmux_player_1" },
    });
    expect(other.requests).toHaveLength(1);
    expect(JSON.parse(other.requests[0]?.body.toString() ?? "{}")).toMatchObject({ user: { id: "tmux_player_1" } });
    expect(decoy.requests).toHaveLength(0);
    expect(t.screen()).not.toContain(SECRET);
    expect(t.screen()).not.toContain("other-secret-31");
    expect(JSON.parse(readFileSync(statePath, "utf8"))).toEqual({ lastUrl: other.url, lastType: "payment" });
  });

  it("send with retry replay: the remembered URL is only the default (last used); the URL typed over it is where the resends go", async () => {
    const { xdg, statePath, decoy } = await rememberedElsewhere();
    const receiver = await startReceiver({ secret: SECRET, failFirst: 2 });
    cleanup.push(() => receiver.close());
    const t = terminal({ xdg, env: { XSOLLA_WEBHOOK_SECRET: SECRET } });

    await t.prompt("What do you want to do?");
    t.choose(RETRY);
    await t.prompt("Webhook type");
    t.keys("-l", "order_paid");
    await t.until(/❯ order_paid\b/);
    t.answer();
    expect(await t.fieldsUntilUrl()).toBe(`? Handler URL (last used) (${decoy.url})`);
    t.answer(receiver.url);
    expect(await t.prompt("Webhook secret")).toBe("? Webhook secret (Enter keeps $XSOLLA_WEBHOOK_SECRET)");
    t.answer();
    await t.prompt("Next");
    expect(t.screen()).toMatch(/✓ delivered at attempt 3/);
    t.choose(4); // Quit
    expect(await t.exit()).toBe(0);

    expect(receiver.requests.map((r) => r.answer.status)).toEqual([500, 500, 204]);
    expect(new Set(receiver.requests.map((r) => JSON.parse(r.body.toString()).notification_type))).toEqual(new Set(["order_paid"]));
    expect(decoy.requests).toHaveLength(0);
    expect(JSON.parse(readFileSync(statePath, "utf8"))).toEqual({ lastUrl: receiver.url, lastType: "order_paid" });
  });

  it("contract suite: the config file's url wins over the remembered one", async () => {
    const { xdg, decoy } = await rememberedElsewhere();
    const receiver = await startReceiver({ secret: SECRET });
    cleanup.push(() => receiver.close());
    const project = mkdtempSync(join(root, "project-"));
    writeFileSync(join(project, "xsolla-hooks.config.json"), JSON.stringify({ url: receiver.url }));
    const t = terminal({ xdg, cwd: project, args: ["interactive"] });

    await t.prompt("What do you want to do?");
    t.choose(TEST);
    expect(await t.prompt("Handler URL")).toBe(`? Handler URL (from xsolla-hooks.config.json) (${receiver.url})`);
    t.answer();
    await t.prompt("Webhook secret");
    t.answer(SECRET);
    await t.prompt("Next");
    expect(t.screen()).toMatch(/^\d+ passed, 0 failed/m);
    t.choose(3); // Quit
    expect(await t.exit()).toBe(0);

    expect(receiver.requests.length).toBeGreaterThan(5);
    expect(receiver.requests.some((r) => r.answer.verdict === "accepted")).toBe(true);
    expect(receiver.requests.some((r) => r.answer.errorCode === "INVALID_SIGNATURE")).toBe(true);
    expect(decoy.requests).toHaveLength(0);
  });

  it("verify: prints the verdict; Change answers and run again takes another signature", async () => {
    const { xdg, decoy } = await rememberedElsewhere();
    const body = join(root, "received-body.json");
    writeFileSync(body, '{"notification_type":"payment","user":{"id":"tmux_verify"}}');
    const signature = createHash("sha1").update(readFileSync(body)).update(SECRET).digest("hex");
    const t = terminal({ xdg, env: { XSOLLA_WEBHOOK_SECRET: SECRET } });

    await t.prompt("What do you want to do?");
    t.choose(VERIFY);
    await t.prompt("Body file");
    t.answer(body);
    await t.prompt("Signature");
    t.answer(signature);
    expect(await t.prompt("Webhook secret")).toBe("? Webhook secret (Enter keeps $XSOLLA_WEBHOOK_SECRET)");
    t.answer();
    await t.prompt("Next");
    expect(t.screen()).toContain(`✓ signature matches the ${readFileSync(body).length} body bytes`);

    t.choose(1); // Change answers and run again
    expect(await t.prompt("Body file")).toContain(`(${body})`);
    t.answer();
    await t.prompt("Signature");
    t.answer("0".repeat(40));
    await t.prompt("Webhook secret (Enter keeps the current one)");
    t.answer();
    await t.prompt("Next");
    expect(t.screen()).toMatch(/^✗ /m);
    expect(t.screen()).toContain(`expected Signature ${signature}`);
    t.choose(3); // Quit
    expect(await t.exit()).toBe(1);
    expect(decoy.requests).toHaveLength(0);
  });

  it("poll the Event API: the token picked in the wizard is used, not a JWT left in the environment; Ctrl-C stops with 130", async () => {
    const { xdg, decoy } = await rememberedElsewhere();
    const api = await startMockEventApi({ token: "tmux-payment-token-5" });
    cleanup.push(() => api.close());
    api.enqueue({ notification_type: "order_paid", user: { id: "tmux_events_user" }, order: { amount: 5, currency: "USD" } });
    const t = terminal({ xdg, env: { XSOLLA_EVENT_API_URL: api.url, XSOLLA_JWT: "stale.jwt.value" } });

    await t.prompt("What do you want to do?");
    t.choose(EVENTS);
    await t.prompt("Authenticate with");
    t.choose(1); // a payment token
    expect(await t.prompt("Payment token")).toBe("? Payment token");
    t.answer("tmux-payment-token-5");
    expect(await t.prompt("Event API base URL")).toBe(`? Event API base URL (from XSOLLA_EVENT_API_URL) (${api.url})`);
    t.answer();
    await t.until(/^1 +order_paid .* tmux_events_user/m);
    t.keys("C-c");
    expect(await t.exit()).toBe(130);

    expect(api.requests().filter((r) => r.path === "/events")[0]).toMatchObject({ method: "GET", auth: "token", outcome: 200 });
    expect(t.screen()).not.toContain("tmux-payment-token-5");
    expect(decoy.requests).toHaveLength(0);
  });

  it("start the receiver: a delivery sent to it is logged; Ctrl-C stops it with 130", async () => {
    const { xdg, decoy } = await rememberedElsewhere();
    const port = await refusedPort();
    const t = terminal({ xdg });

    await t.prompt("What do you want to do?");
    t.choose(LISTEN);
    expect(await t.prompt("Port")).toBe("? Port (3000)");
    t.answer(String(port));
    await t.prompt("Webhook secret");
    t.answer(SECRET);
    await t.until(`listening on http://127.0.0.1:${port}/`);

    const payment = JSON.parse(readFileSync(new URL("../../fixtures/payment.json", import.meta.url), "utf8")) as { body: unknown };
    const bytes = Buffer.from(JSON.stringify(payment.body));
    const response = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Signature ${createHash("sha1").update(bytes).update(SECRET).digest("hex")}`,
      },
      body: bytes,
    });
    expect(response.status).toBe(204);
    await t.until(/#1 payment +204 accepted/);
    t.keys("C-c");
    expect(await t.exit()).toBe(130);
    expect(t.screen()).not.toContain(SECRET);
    expect(decoy.requests).toHaveLength(0);
  });

  it("Esc at a prompt cancels with 130, as Ctrl-C does", async () => {
    const { xdg, statePath } = await rememberedElsewhere();
    const before = readFileSync(statePath, "utf8");
    const t = terminal({ xdg, args: ["interactive"] });
    await t.prompt("What do you want to do?");
    t.choose(SEND);
    await t.prompt("Webhook type");
    t.keys("Escape");
    expect(await t.exit()).toBe(130);
    expect(t.screen()).toContain("cancelled");
    expect(readFileSync(statePath, "utf8")).toBe(before);
  });
});
