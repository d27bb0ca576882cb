// Binding a node:http server and closing it for good, shared by the receiver and the Event API mock.
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  port: number;
  /** `http://host:port`, with IPv6 hosts in brackets, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export async function listenOn(server: Server, host: string, port: number, beforeClose?: () => void): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    origin: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        beforeClose?.();
        // Keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Calls `done` with the whole request body, or null when it is over `limit` bytes (the rest is read and dropped, so the
 * answer can still be sent). A request that breaks off before its end never calls `done`: there is no one to answer.
 */
export function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | null) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) return;
    // Most webhook bodies arrive in one chunk: keep it as it is, without a copy.
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on("end", () => done(size > limit ? null : more ? Buffer.concat(more) : (first ?? Buffer.alloc(0))));
  req.on("error", () => {});
}

/** The whole request body, or null when it is over `limit` bytes. */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    req.on("error", reject);
    readBody(req, limit, resolve);
  });
}
