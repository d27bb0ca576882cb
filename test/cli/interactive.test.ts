// The wizard in-process: @inquirer/testing drives the real prompts (the one third-party module
// replaced here), everything else is real, including the loopback handler it sends to.
import { screen } from "@inquirer/testing/vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import type { Io } from "../../src/adapters/io.js";
import { startHandler } from "../helpers/handlers.js";
import type { LoopbackServer } from "../helpers/loopback.js";

const SECRET = "wizard-secret-value-42";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

function ttyIo(env: Record<string, string>): { io: Io; out: () => string } {
  let text = "";
  const out = { write: (t: string | Uint8Array) => void (text += typeof t === "string" ? t : Buffer.from(t).toString()), isTTY: true };
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  return {
    io: { stdout: out, stderr: out, stdin, env: { NO_COLOR: "1", ...env }, cwd: process.cwd(), signal: new AbortController().signal },
    out: () => text,
  };
}

async function waitFor(text: string): Promise<void> {
  for (let i = 0; i < 200 && !screen.getScreen().includes(text); i++) await screen.next();
  expect(screen.getScreen()).toContain(text);
}

describe("interactive mode", () => {
  it("picks payment, changes the user id, sends to a handler, then shows the equivalent command", async () => {
    const handler: LoopbackServer = await startHandler(SECRET);
    cleanup.push(() => handler.close());
    const config = mkdtempSync(join(tmpdir(), "xsolla-hooks-xdg-"));
    cleanup.push(() => rmSync(config, { recursive: true, force: true }));
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: config, XSOLLA_WEBHOOK_URL: handler.url });

    const done = runCli([], io);
    await waitFor("What do you want to do?");
    expect(screen.getScreen()).toContain("Send a webhook");
    screen.keypress("enter");

    await waitFor("Webhook type");
    screen.type("payment");
    await waitFor("payment");
    screen.keypress("enter");

    await waitFor("user.id");
    screen.type("player_777");
    screen.keypress("enter");
    // Accept the defaults of the other key fields.
    for (let i = 0; i < 5 && !screen.getScreen().includes("Handler URL"); i++) {
      await screen.next();
      if (!screen.getScreen().includes("Handler URL")) screen.keypress("enter");
    }
    await waitFor("Handler URL");
    screen.keypress("enter");
    await waitFor("Webhook secret");
    screen.type(SECRET);
    screen.keypress("enter");

    await waitFor("Next");
    expect(handler.requests).toHaveLength(1);
    const body = JSON.parse(handler.requests[0]?.body.toString() ?? "{}") as { notification_type: string; user: { id: string } };
    expect(body).toMatchObject({ notification_type: "payment", user: { id: "player_777" } });
    expect(out()).toMatch(/✓ as expected/);

    screen.keypress("down");
    screen.keypress("down");
    screen.keypress("enter");
    await screen.next(); // the Next prompt again, after the command line was printed
    expect(out()).toContain(
      `xsolla-hooks send payment --set-string user.id=player_777 --url ${handler.url} --secret "$XSOLLA_WEBHOOK_SECRET"`,
    );
    screen.keypress("enter"); // Quit is the default once the command line was shown
    expect(await done).toBe(0);

    expect(out()).not.toContain(SECRET);
    const state = readFileSync(join(config, "xsolla-hooks", "state.json"), "utf8");
    expect(JSON.parse(state)).toEqual({ lastUrl: handler.url, lastType: "payment" });
    expect(state).not.toContain(SECRET);
  });

  it("Ctrl-C at a prompt exits 130 without a stack trace", async () => {
    const { io, out } = ttyIo({ XDG_CONFIG_HOME: tmpdir() });
    const done = runCli(["interactive"], io);
    await waitFor("What do you want to do?");
    screen.keypress({ name: "c", ctrl: true });
    expect(await done).toBe(130);
    expect(out()).not.toMatch(/\n\s+at /);
  });
});
