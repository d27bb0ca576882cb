// The wizard in-process: @inquirer/testing drives the real prompts (the one third-party module
// replaced here), everything else is real, including the loopback handlers it sends to. Every test
// gets its own XDG_CONFIG_HOME, so none reads or writes the user's own remembered state.
import { screen } from "@inquirer/testing/vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import type { Io } from "../../src/adapters/io.js";
import { startHandler, type TestHandler } from "../helpers/handlers.js";

const SECRET = "wizard-secret-value-42";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

function ttyIo(env: Record<string, string>, options: { cwd?: string; tty?: boolean } = {}): { io: Io; out: () => string } {
  let text = "";
  const tty = options.tty ?? true;
  const out = { write: (t: string | Uint8Array) => void (text += typeof t === "string" ? t : Buffer.from(t).toString()), isTTY: tty };
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  return {
    io: {
      stdout: out,
      stderr: out,
      stdin,
      env: { NO_COLOR: "1", ...env },
      cwd: options.cwd ?? process.cwd(),
      signal: new AbortController().signal,
    },
    out: () => text,
  };
}

/** A temporary XDG_CONFIG_HOME, removed after the test; with `lastUrl`, a remembered state pointing there. */
function configHome(remembered?: { lastUrl?: string; lastType?: string }): { dir: string; statePath: string } {
  const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-xdg-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const statePath = join(dir, "xsolla-hooks", "state.json");
  if (remembered) {
    mkdirSync(join(dir, "xsolla-hooks"));
    writeFileSync(statePath, JSON.stringify(remembered));
  }
  return { dir, statePath };
}

async function handler(secret = SECRET): Promise<TestHandler> {
  const started = await startHandler(secret);
  cleanup.push(() => started.close());
  return started;
}

async function waitFor(text: string | RegExp): Promise<string> {
  const seen = () => (typeof text === "string" ? screen.getScreen().includes(text) : text.test(screen.getScreen()));
  for (let i = 0; i < 200 && !seen(); i++) await screen.next();
  expect(screen.getScreen()).toMatch(text);
  return screen.getScreen();
}

/** Picks the webhook type at the search prompt: filter, wait for it to be highlighted, Enter. */
async function pickType(type: string): Promise<void> {
  await waitFor("? Webhook type");
  screen.type(type);
  await waitFor(new RegExp(`❯ ${type}\\b`));
  screen.keypress("enter");
}

/** Answers the key-field prompts (typing `values[path]` where given, else Enter) until the URL prompt; returns its screen. */
async function fieldsUntilUrl(values: Record<string, string> = {}): Promise<string> {
  for (let i = 0; i < 12; i++) {
    const now = await waitFor(/^\? (Handler URL|[\w.]+ \()/m);
    if (now.startsWith("? Handler URL")) return now;
    const path = /^\? ([\w.]+) \(/.exec(now)?.[1] ?? "";
    if (values[path] !== undefined) screen.type(values[path]);
    screen.keypress("enter");
    await screen.next();
  }
  throw new Error(`no URL prompt; screen:\n${screen.getScreen()}`);
}

async function answerSecret(secret?: string): Promise<void> {
  await waitFor("? Webhook secret");
  if (secret !== undefined) screen.type(secret);
  screen.keypress("enter");
}

/** Moves the "Next" menu down `steps` items and picks it. */
async function next(steps: number): Promise<void> {
  await waitFor("? Next");
  for (let i = 0; i < steps; i++) screen.keypress("down");
  screen.keypress("enter");
}
const NEXT = { again: 0, target: 1, edit: 2, command: 3, quit: 4 };

type Body = { notification_type: string; user: { id: string } };
const bodyOf = (h: TestHandler, index: number) => JSON.parse(h.requests[index]?.body.toString() ?? "{}") as Body;

describe("interactive mode", () => {
  it("picks payment, changes the user id, sends to a handler, then shows the equivalent command", async () => {
    const target = await handler();
    const { dir, statePath } = configHome();
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: dir, XSOLLA_WEBHOOK_URL: target.url });

    const done = runCli([], io);
    await waitFor("What do you want to do?");
    expect(screen.getScreen()).toContain("Send a webhook");
    screen.keypress("enter");
    await pickType("payment");
    await fieldsUntilUrl({ "user.id": "player_777" });
    screen.keypress("enter");
    await answerSecret(SECRET);

    await waitFor("? Next");
    expect(target.requests).toHaveLength(1);
    expect(bodyOf(target, 0)).toMatchObject({ notification_type: "payment", user: { id: "player_777" } });
    expect(out()).toMatch(/✓ as expected/);

    await next(NEXT.command);
    await screen.next(); // the Next prompt again, after the command line was printed
    expect(out()).toContain(
      `xsolla-hooks send payment --set-string user.id=player_777 --url ${target.url} --secret "$XSOLLA_WEBHOOK_SECRET"`,
    );
    screen.keypress("enter"); // Quit is the default once the command line was shown
    expect(await done).toBe(0);

    expect(out()).not.toContain(SECRET);
    const state = readFileSync(statePath, "utf8");
    expect(JSON.parse(state)).toEqual({ lastUrl: target.url, lastType: "payment" });
    expect(state).not.toContain(SECRET);
  });

  it("XSOLLA_WEBHOOK_URL wins over a stale remembered URL, and the prompt says where its default came from", async () => {
    const current = await handler();
    const stale = await handler();
    const { dir, statePath } = configHome({ lastUrl: stale.url, lastType: "refund" });
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: dir, XSOLLA_WEBHOOK_URL: current.url, XSOLLA_WEBHOOK_SECRET: SECRET });

    const done = runCli(["interactive"], io);
    await waitFor("What do you want to do?");
    screen.keypress("enter");
    // The remembered type is only a default too: it is listed first and marked.
    await waitFor("? Webhook type");
    expect(screen.getScreen()).toMatch(/❯ refund \(last used\)/);
    screen.keypress("enter");
    const urlPrompt = await fieldsUntilUrl();
    expect(urlPrompt).toContain(`Handler URL (from XSOLLA_WEBHOOK_URL) (${current.url})`);
    expect(urlPrompt).not.toContain(stale.url);
    screen.keypress("enter");
    await waitFor("? Webhook secret (Enter keeps $XSOLLA_WEBHOOK_SECRET)");
    screen.keypress("enter");
    await next(NEXT.quit);
    expect(await done).toBe(0);

    expect(current.requests).toHaveLength(1);
    expect(bodyOf(current, 0).notification_type).toBe("refund");
    expect(stale.requests).toHaveLength(0);
    expect(out()).toMatch(/✓ as expected/);
    expect(JSON.parse(readFileSync(statePath, "utf8"))).toEqual({ lastUrl: current.url, lastType: "refund" });
  });

  it("the config file's url wins over the remembered one; the remembered one over the default; the default is http://localhost:3000/webhook", async () => {
    const project = mkdtempSync(join(tmpdir(), "xsolla-hooks-project-"));
    cleanup.push(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, "xsolla-hooks.config.json"), JSON.stringify({ url: "http://127.0.0.1:9/from-config" }));
    const cases = [
      {
        remembered: "http://127.0.0.1:9/remembered",
        cwd: project,
        shown: "(from xsolla-hooks.config.json) (http://127.0.0.1:9/from-config)",
      },
      { remembered: "http://127.0.0.1:9/remembered", cwd: undefined, shown: "(last used) (http://127.0.0.1:9/remembered)" },
      { remembered: undefined, cwd: undefined, shown: "(default) (http://localhost:3000/webhook)" },
    ];
    for (const { remembered, cwd, shown } of cases) {
      screen.clear();
      const { dir } = configHome(remembered ? { lastUrl: remembered } : undefined);
      const { io } = ttyIo({ XDG_CONFIG_HOME: dir }, cwd ? { cwd } : {});
      const done = runCli(["interactive"], io);
      await waitFor("What do you want to do?");
      screen.keypress("down");
      screen.keypress("down");
      screen.keypress("enter"); // the contract suite asks the URL first
      expect(await waitFor("? Handler URL")).toContain(`Handler URL ${shown}`);
      screen.keypress({ name: "c", ctrl: true });
      expect(await done).toBe(130);
    }
  });

  it("Edit fields and send changes every answer: type, fields, URL and secret; Send again to another handler switches the target", async () => {
    const first = await handler();
    const second = await handler("second-secret-77");
    const third = await handler("third-secret-88");
    const { dir, statePath } = configHome({ lastUrl: "http://127.0.0.1:9/stale" });
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: dir, XSOLLA_WEBHOOK_URL: first.url });

    const done = runCli(["interactive"], io);
    await waitFor("What do you want to do?");
    screen.keypress("enter");
    await pickType("payment");
    await fieldsUntilUrl({ "user.id": "player_1" });
    screen.keypress("enter");
    await answerSecret(SECRET);

    // Edit: every prompt again, this session's answers as defaults.
    await next(NEXT.edit);
    await waitFor("? Webhook type");
    expect(screen.getScreen()).toMatch(/❯ payment \(current\)/);
    screen.type("refund");
    await waitFor(/❯ refund\b/);
    screen.keypress("enter");
    let urlPrompt = await fieldsUntilUrl({ "user.id": "player_2" });
    expect(urlPrompt).toContain(`Handler URL (current) (${first.url})`);
    screen.type(second.url);
    screen.keypress("enter");
    await waitFor("? Webhook secret (Enter keeps the current one)");
    screen.type("second-secret-77");
    screen.keypress("enter");

    // Send again to another handler: the same webhook, a new URL and secret.
    await next(NEXT.target);
    urlPrompt = await waitFor("? Handler URL");
    expect(urlPrompt).toContain(`(current) (${second.url})`);
    screen.type(third.url);
    screen.keypress("enter");
    await answerSecret("third-secret-88");

    // Send again: the same target, fresh ids.
    await next(NEXT.again);
    await next(NEXT.quit);
    expect(await done).toBe(0);

    expect(first.requests.map((_, i) => bodyOf(first, i))).toMatchObject([{ notification_type: "payment", user: { id: "player_1" } }]);
    // The handlers check the signature with their own secret: 204 means the new secret was used.
    expect(second.requests.map((_, i) => bodyOf(second, i))).toMatchObject([{ notification_type: "refund", user: { id: "player_2" } }]);
    expect(third.requests.map((_, i) => bodyOf(third, i))).toMatchObject([
      { notification_type: "refund", user: { id: "player_2" } },
      { notification_type: "refund", user: { id: "player_2" } },
    ]);
    expect(out().match(/✓ as expected/g)).toHaveLength(4);
    for (const secret of [SECRET, "second-secret-77", "third-secret-88"]) expect(out()).not.toContain(secret);
    expect(JSON.parse(readFileSync(statePath, "utf8"))).toEqual({ lastUrl: third.url, lastType: "refund" });
  });

  it("interactive --forget deletes the remembered state, says where it was, and needs no terminal", async () => {
    const { dir, statePath } = configHome({ lastUrl: "http://127.0.0.1:9/stale", lastType: "refund" });
    const forget = ttyIo({ XDG_CONFIG_HOME: dir }, { tty: false });
    expect(await runCli(["interactive", "--forget"], forget.io)).toBe(0);
    expect(forget.out()).toBe(`forgot the last URL and webhook type (deleted ${statePath})\n`);
    expect(existsSync(statePath)).toBe(false);

    const again = ttyIo({ XDG_CONFIG_HOME: dir }, { tty: false });
    expect(await runCli(["interactive", "--forget"], again.io)).toBe(0);
    expect(again.out()).toBe(`nothing remembered (no ${statePath})\n`);
  });

  it("Ctrl-C at a prompt exits 130 without a stack trace", async () => {
    const { dir } = configHome();
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: dir });
    const done = runCli(["interactive"], io);
    await waitFor("What do you want to do?");
    screen.keypress({ name: "c", ctrl: true });
    expect(await done).toBe(130);
    expect(out()).not.toMatch(/\n\s+at /);
  });
});
