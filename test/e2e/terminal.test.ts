// Terminal behaviour of the built CLI: a real pseudo-terminal (tmux) for the wizard, pipes for CI.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, cliEnv, runCli } from "../helpers/cli.js";
import { startHandler } from "../helpers/handlers.js";
import { startReceiver } from "../../src/server/receiver.js";

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
    expect(complete(["xsolla-hooks", "test", "--reporter", ""])).toEqual(["pretty", "json", "junit", "tap"]);
    for (const shell of ["zsh", "fish"]) {
      const result = await runCli(["completion", shell]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("order_paid");
    }
    expect((await runCli(["completion", "powershell"])).code).toBe(2);
  });
});

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

describe.runIf(hasTmux)("a real terminal (tmux)", () => {
  it("a new user runs xsolla-hooks, picks payment, changes the user id, sends it to the local receiver and gets the command line", async () => {
    const server = await startReceiver({ secret: SECRET });
    cleanup.push(() => server.close());
    const xdg = mkdtempSync(join(tmpdir(), "xsolla-hooks-tmux-"));
    cleanup.push(() => rmSync(xdg, { recursive: true, force: true }));
    const session = `xh-${process.pid}-${Date.now()}`;
    const socket = join(xdg, "tmux.sock");
    const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8" });
    const env = cliEnv({ XDG_CONFIG_HOME: xdg, XSOLLA_WEBHOOK_URL: server.url, CI: undefined, NO_COLOR: "1" });
    const envArgs = Object.entries(env)
      .filter(([k]) => /^(PATH|HOME|XDG_CONFIG_HOME|XSOLLA_WEBHOOK_URL|NO_COLOR|LANG)$/.test(k))
      .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", ...envArgs, `${process.execPath} ${BIN}; echo "EXIT=$?"; sleep 30`);
    cleanup.push(() => spawnSync("tmux", ["-S", socket, "kill-server"]));
    const screen = () => tmux("capture-pane", "-p", "-t", session);
    const until = async (text: string | RegExp) => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const now = screen();
        if (typeof text === "string" ? now.includes(text) : text.test(now)) return now;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen()}`);
    };
    const keys = (...k: string[]) => tmux("send-keys", "-t", session, ...k);

    await until("What do you want to do?");
    keys("Enter");
    await until("Webhook type");
    keys("-l", "payment");
    await until(/❯ payment/);
    keys("Enter");
    await until("user.id");
    keys("-l", "tmux_player_1");
    keys("Enter");
    // Accept the defaults of the other key fields until the URL prompt shows.
    for (let i = 0; i < 6 && !screen().includes("Handler URL"); i++) {
      const now = await until(/\? [\w.]+ \(|Handler URL/);
      if (!now.includes("Handler URL")) keys("Enter");
    }
    await until("Handler URL");
    keys("Enter");
    await until("Webhook secret");
    keys("-l", SECRET);
    keys("Enter");
    await until("as expected");
    await until("Next");
    keys("Down");
    keys("Down");
    keys("Enter");
    const shown = await until('--secret "$XSOLLA_WEBHOOK_SECRET"');
    expect(shown).toContain("xsolla-hooks send payment --set-string user.id=tmux_player_1");
    expect(shown).not.toContain(SECRET);
    keys("Enter"); // Quit is the default once the command line was shown
    await until("EXIT=0");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.answer).toMatchObject({ status: 204, verdict: "accepted" });
    expect(JSON.parse(server.requests[0]?.body.toString() ?? "{}")).toMatchObject({
      notification_type: "payment",
      user: { id: "tmux_player_1" },
    });
  }, 30_000);
});
