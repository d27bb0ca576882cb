// `events poll` and `events list` through the built CLI: output discipline and --jwt-file. The Event API is the
// mock on 127.0.0.1, in this process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMockEventApi, type MockEventApiOptions } from "../../src/events-api/mock-server.js";
import { runCli } from "../helpers/cli.js";
import { webhookBody } from "../events-api/helpers.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

const jwtWith = (claims: object) => {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
};
const JWT = jwtWith({ sub: "player_1", exp: Math.floor(Date.now() / 1000) + 3600 });

async function mock(options: MockEventApiOptions = {}) {
  const api = await startMockEventApi(options);
  cleanup.push(() => api.close());
  return api;
}

interface EventLine {
  id: number;
  type: string;
  status: number;
  created_at: string | null;
}
const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EventLine);

describe("output discipline and credentials", () => {
  it("with --json, an error goes to stderr only: stdout holds events and nothing else", async () => {
    const api = await mock({ faults: { unauthorized: true } });
    for (const command of [
      ["events", "poll", "--once"],
      ["events", "list"],
    ]) {
      const result = await runCli([...command, "--jwt", JWT, "--base-url", api.url, "--json"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error: GET \/events: the Event API refused the JWT .*\(HTTP 401 unauthorized\)/m);
    }
  });

  it("--jwt-file reads the JWT (trimmed, size-capped, never printed); bad files are one line and exit 2", async () => {
    const api = await mock({ jwt: JWT });
    api.enqueue(webhookBody("payment", 1));
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-jwt-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "jwt");
    writeFileSync(file, `\uFEFF  ${JWT}\n\n`);

    const ok = await runCli(["events", "list", "--jwt-file", file, "--base-url", api.url, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(lines(ok.stdout).map((e) => e.id)).toEqual([1]);
    expect(ok.stdout + ok.stderr).not.toContain(JWT);

    const big = join(dir, "big");
    writeFileSync(big, "x".repeat(70 * 1024));
    const empty = join(dir, "empty");
    writeFileSync(empty, " \n");
    const cases: [string[], string][] = [
      [["--jwt-file", join(dir, "missing")], `error: cannot read --jwt-file ${join(dir, "missing")}: no such file`],
      [["--jwt-file", dir], `error: cannot read --jwt-file ${dir}: is a directory`],
      [["--jwt-file", big], `error: --jwt-file ${big} is larger than 64 KiB: that is not a JWT`],
      [["--jwt-file", empty], `error: --jwt-file ${empty} is empty`],
      [["--jwt-file", file, "--jwt", JWT], "error: use --jwt or --jwt-file, not both"],
      [["--jwt-file", file, "--token", "t"], "error: use --jwt-file or --token, not both"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(["events", "poll", "--once", "--base-url", api.url, ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe(`${message}\n`);
    }
  });
});
