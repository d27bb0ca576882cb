// A scripted HTTP peer on 127.0.0.1:0 that records every request with its raw body bytes.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** The body as the socket delivered it, read by read. */
  chunks: Buffer[];
}

export type Script = (request: RecordedRequest, res: ServerResponse, index: number) => unknown;

export interface LoopbackServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves with the next request to arrive (or the one already waiting). */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startLoopback(script: Script = (_r, res) => void res.writeHead(204).end()): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const waiters: ((r: RecordedRequest) => void)[] = [];
  let delivered = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        chunks,
      };
      const index = requests.push(recorded) - 1;
      const waiter = waiters.shift();
      if (waiter) {
        delivered++;
        waiter(recorded);
      }
      Promise.resolve(script(recorded, res, index)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    port,
    requests,
    nextRequest() {
      const waiting = requests[delivered];
      if (waiting) {
        delivered++;
        return Promise.resolve(waiting);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that refuses connections: bound, read, then closed. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
