// `export artillery` end to end: install Artillery 2.0.21 (the last release for Node 20) into a temporary
// directory, run the exported scenario against the reference receiver on loopback, and check that every
// request carried a valid signature. Slow and needs the npm registry: behind XSOLLA_HOOKS_ARTILLERY=1.
// XSOLLA_HOOKS_ARTILLERY_DIR reuses a directory where artillery@2.0.21 is already installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startReceiver, type RunningReceiver } from "../../src/server/receiver.js";
import { cliEnv, runCli } from "../helpers/cli.js";

const SECRET = "artillery-secret-value";
const ARTILLERY_VERSION = "2.0.21";

describe.runIf(process.env.XSOLLA_HOOKS_ARTILLERY === "1")("export artillery: the exported scenario is accepted by the receiver", () => {
  const work = mkdtempSync(join(tmpdir(), "xsolla-hooks-artillery-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function installArtillery(): string {
    const given = process.env.XSOLLA_HOOKS_ARTILLERY_DIR;
    const dir = given ?? join(work, "artillery");
    const bin = join(dir, "node_modules", ".bin", "artillery");
    if (existsSync(bin)) return bin;
    const npm = spawnSync(
      "npm",
      ["install", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", `artillery@${ARTILLERY_VERSION}`],
      {
        // No install scripts: Artillery's would download a browser (for its Playwright engine) that an HTTP scenario never uses.
        env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
        encoding: "utf8",
        timeout: 600_000,
      },
    );
    if (npm.status !== 0) throw new Error(`npm install artillery@${ARTILLERY_VERSION} failed: ${npm.stderr.slice(-2000)}`);
    return bin;
  }

  it.each([["same"], ["unique"]] as const)(
    "--%s-ids: every request Artillery sends is signed correctly",
    { timeout: 900_000 },
    async (ids) => {
      const artillery = installArtillery();
      const accepted = new Set<string>();
      let total = 0;
      let valid = 0;
      const receiver: RunningReceiver = await startReceiver({
        secret: SECRET,
        port: 0,
        host: "127.0.0.1",
        onRequest: (request) => {
          total++;
          if (request.answer.verdict === "accepted") {
            valid++;
            accepted.add(String(request.answer.deliveryKey));
          }
        },
      });
      try {
        const dir = mkdtempSync(join(work, `${ids}-`));
        const scenario = join(dir, "burst.yml");
        const flags = ["--url", `${receiver.url.replace(/\/$/, "")}/webhook`, "--rate", "20", "--duration", "2s", "--out", scenario];
        const exported = await runCli(["export", "artillery", "payment", ...(ids === "unique" ? ["--unique-ids"] : []), ...flags]);
        expect(exported.code, exported.stderr).toBe(0);
        // Not spawnSync: the receiver runs in this process and must answer while Artillery runs.
        const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
          const child = spawn(artillery, ["run", "--output", join(dir, "report.json"), scenario], {
            env: { ...cliEnv(), XSOLLA_WEBHOOK_SECRET: SECRET, ARTILLERY_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "1" },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
          child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
          child.on("close", (code) => done({ code, stdout, stderr }));
        });
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        // Artillery's own count of what it sent; arrivals follow its timer, so the count is read, not assumed.
        const requests = Number(/http\.requests:\s*\.*\s*(\d+)/.exec(run.stdout)?.[1] ?? NaN);
        expect(requests).toBeGreaterThan(10);
        expect(run.stdout).not.toMatch(/errors\./);
        expect(total).toBe(requests);
        expect(valid).toBe(total);
        expect(accepted.size).toBe(ids === "unique" ? total : 1);
      } finally {
        await receiver.close();
      }
    },
  );
});
