// Runs work with the caller's transport, or with an HTTP transport made (and closed) just for it.
// undici is imported here only when needed, so callers stay cheap to load.
import type { Transport } from "../core/delivery/types.js";

export async function withTransport<T>(given: Transport | undefined, work: (transport: Transport) => Promise<T>): Promise<T> {
  if (given) return work(given);
  const { createHttpTransport } = await import("./http-transport.js");
  const transport = createHttpTransport();
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}
