// Reading a handler's state with the user's own command (--state-probe): a shell command whose stdout
// reflects the state for the test user, e.g. a SQL count or a curl to an admin endpoint. Bounded in
// time and output; a probe that fails is reported, never mistaken for a state.
import { spawn } from "node:child_process";

const OUTPUT_LIMIT = 64 * 1024;
const PROBE_TIMEOUT_MS = 15_000;

export type ProbeResult = { ok: true; output: string } | { ok: false; error: string };

/** Runs the probe with `vars` added to the environment; resolves with its trimmed stdout. */
export function readStateProbe(
  command: string,
  vars: Record<string, string>,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env: { ...env, ...vars }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({ ok: false, error: `it did not finish within ${PROBE_TIMEOUT_MS / 1000} s` });
    }, PROBE_TIMEOUT_MS);
    const onAbort = () => {
      child.kill("SIGKILL");
      finish({ ok: false, error: "interrupted" });
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= OUTPUT_LIMIT) out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (err.length < 16) err.push(chunk);
    });
    child.on("error", (error) => finish({ ok: false, error: error.message }));
    child.on("close", (code, killedBy) => {
      if (code === 0) {
        finish({ ok: true, output: Buffer.concat(out).toString("utf8").trim() });
        return;
      }
      const stderr = Buffer.concat(err).toString("utf8").trim().split("\n")[0]?.slice(0, 200) ?? "";
      finish({ ok: false, error: `${killedBy ? `killed by ${killedBy}` : `exit ${code}`}${stderr ? `: ${stderr}` : ""}` });
    });
  });
}
