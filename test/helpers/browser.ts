// A real browser for the inspector's tests: Debian's chromium driven by playwright-core (no browser download).
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The chromium to drive, or undefined where none can be had (the browser tests then skip, saying why). */
export const CHROMIUM = CANDIDATES.find((path): path is string => path !== undefined && path !== "" && existsSync(path));

export const NO_CHROMIUM_MESSAGE =
  "browser tests skipped: no chromium found (install Debian's package: apt-get install -y chromium, or set CHROMIUM_PATH)";

/** Screenshots from the tests land here (ignored by git). */
export function artifactsDir(): string {
  const dir = fileURLToPath(new URL("../artifacts/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}
