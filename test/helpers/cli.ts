// Runs the built CLI (bin/xsolla-hooks.js → dist/) as a child process, the way users do.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// XSOLLA_HOOKS_TEST_BIN runs the same tests against another build (say, the last release's), to see them fail there.
export const BIN = process.env.XSOLLA_HOOKS_TEST_BIN ?? fileURLToPath(new URL("../../bin/xsolla-hooks.js", import.meta.url));
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
  /** Leave stdin open (no input, no end of file): the CLI waits on it. */
  openStdin?: boolean;
}

/** A clean environment: no colour, CI on, none of the tool's own variables leaking in from the shell. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("XSOLLA_") || key === "FORCE_COLOR") delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
}

export function collect(child: ChildProcess, options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `CLI timed out after ${options.timeoutMs ?? 15_000} ms\nstdout: ${Buffer.concat(out).toString()}\nstderr: ${Buffer.concat(err).toString()}`,
        ),
      );
    }, options.timeoutMs ?? 15_000);
    child.on("error", reject);
    // The CLI may stop reading early (a refused oversized body): that is its answer, not a test failure.
    child.stdin?.on("error", () => {});
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else if (!options.openStdin) child.stdin?.end();
  });
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(startCli(args, options), options);
}

/** Resolves when the child's stdout (or stderr) has printed a line matching `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, stream: "stdout" | "stderr" = "stdout"): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const source = stream === "stdout" ? child.stdout : child.stderr;
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = seen.match(pattern);
      if (match) {
        source?.off("data", onData);
        resolve(match);
      }
    };
    source?.on("data", onData);
    child.once("close", () => reject(new Error(`process exited before printing ${pattern}; saw: ${seen}`)));
  });
}
