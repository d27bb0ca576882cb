// Shared by the end-to-end tests of the `events` commands: a JWT-shaped credential and `events serve` spawned.
import type { ChildProcess } from "node:child_process";
import { startCli, waitForOutput } from "./cli.js";

/** A JWT-shaped token (unsigned: the mock does not check signatures) with these claims. */
export const jwtWith = (claims: object) => {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
};

/** Valid for an hour from when the tests start. */
export const JWT = jwtWith({ sub: "player_1", exp: Math.floor(Date.now() / 1000) + 3600 });

/** `events serve` as a child process; `cleanup` gets its kill. */
export async function serve(cleanup: (() => unknown)[], ...args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = startCli(["events", "serve", ...args]);
  cleanup.push(() => void child.kill("SIGKILL"));
  const [, url] = await waitForOutput(child, /Event API mock on (\S+)/);
  return { url: url as string, child };
}
