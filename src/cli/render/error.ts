// The one line an error becomes on stderr: shared by the error renderer in run.ts and by commands that
// report a failure and go on (events ack).
import { InterruptedError, type XsollaHooksError } from "../../core/errors.js";

export function errorLine(error: XsollaHooksError): string {
  if (error instanceof InterruptedError) return error.message;
  return `error: ${error.message}${error.hint ? ` (${error.hint})` : ""}`;
}
