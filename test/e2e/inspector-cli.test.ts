// `listen --ui` and `demo --ui` as a user starts them, without a browser: what they print, warn and exit with.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collect, startCli, waitForOutput } from "../helpers/cli.js";
import { isLoopbackHost } from "../../src/cli/inspector-ui.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("listen --ui", () => {
  it("treats a browser that cannot open as a warning, and stops on Ctrl-C", async () => {
    // No opener on PATH: --open must not fail the receiver.
    const emptyPath = mkdtempSync(join(tmpdir(), "xsolla-hooks-no-opener-"));
    dirs.push(emptyPath);
    const child = startCli(["listen", "--open", "--secret", "inspector-cli-secret"], { env: { PATH: emptyPath } });
    const done = collect(child);
    const [, url] = await waitForOutput(child, /Inspector: (http:\/\/127\.0\.0\.1:\d+\/_inspect)\n/);
    await waitForOutput(child, /warning: --open: could not run \S+/, "stderr");
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/_inspect/app.js" defer></script>');
    child.kill("SIGINT");
    const result = await done;
    expect(result.stderr).not.toMatch(/reachable from other machines/);
    expect(result.code).toBe(130);
  });

  // Binding beyond loopback in a test would open a port to the network, so the rule is checked directly.
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["127.example.com", false],
  ])("--host %s is loopback: %s (no warning when true)", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
