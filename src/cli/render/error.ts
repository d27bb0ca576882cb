// The one line an error becomes on stderr: shared by the error renderer in run.ts and by commands that
// report a failure and go on (events ack).
import { InterruptedError, type XsollaHooksError } from "../../core/errors.js";
import { redactUrls } from "../../core/settings.js";

export function errorLine(error: XsollaHooksError): string {
  // A URL with a password may reach any message (an unreachable handler, a bad base URL): mask it here once.
  if (error instanceof InterruptedError) return redactUrls(error.message);
  return redactUrls(`error: ${error.message}${error.hint ? ` (${error.hint})` : ""}`);
}
