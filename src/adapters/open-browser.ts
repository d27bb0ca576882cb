// Opens a URL in the user's browser with the platform's own opener. Failing to open is not an error for the
// caller: the URL is printed anyway, so the callback gets one line to show as a warning.
import { spawn } from "node:child_process";

export function openInBrowser(url: string, onFailure: (problem: string) => void): void {
  const [program, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(program, args, { stdio: "ignore", detached: true, windowsHide: true });
    child.on("error", (error: NodeJS.ErrnoException) => onFailure(`could not run ${program} (${error.code ?? error.message})`));
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) onFailure(`${program} exited with ${code}`);
    });
    child.unref();
  } catch (error) {
    onFailure(`could not run ${program} (${(error as Error).message})`);
  }
}
