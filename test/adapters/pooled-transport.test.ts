// The burst transport against a real loopback server: how many sockets it opens, how many requests it has in flight,
// and what it reports for a long answer and for a port nobody listens on.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPooledHttpTransport } from "../../src/adapters/http-transport.js";
import { deliverBurst } from "../../src/runners/deliver.js";
import type { OutgoingRequest, SendResult } from "../../src/core/delivery/types.js";
import { refusedPort } from "../helpers/loopback.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

/** A server that answers after a short pause, counting sockets and the most requests it held at once. */
async function countingServer(answer: (res: import("node:http").ServerResponse) => void = (res) => res.writeHead(204).end()) {
  const sockets = new Set<unknown>();
  let inFlight = 0;
  let mostInFlight = 0;
  const server: Server = createServer((req, res) => {
    sockets.add(req.socket);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    req.resume();
    req.on("end", () =>
      setTimeout(() => {
        inFlight--;
        answer(res);
      }, 2),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    stats: () => ({ sockets: sockets.size, mostInFlight }),
  };
}

const post = (url: string): OutgoingRequest => ({
  url,
  method: "POST",
  headers: { "content-type": "application/json" },
  body: Buffer.from('{"notification_type":"payment"}'),
});

async function burst(
  url: string,
  connections: number,
  concurrency: number,
  total: number,
  signal?: AbortSignal,
): Promise<{ results: SendResult[]; connectionsOpened: number }> {
  const transport = createPooledHttpTransport({ url, connections, signal });
  cleanup.push(() => transport.close());
  const results: SendResult[] = [];
  const item = { request: post(url) };
  const sent = await deliverBurst({
    transport,
    concurrency,
    timeoutMs: 5_000,
    signal,
    next: (index) => (index < total ? item : undefined),
    onResult: (result) => results.push(result),
  });
  expect(sent).toBe(total);
  return { results, connectionsOpened: transport.connectionsOpened };
}

describe("the pooled burst transport", () => {
  it("sends every request over at most `connections` sockets, that many at a time", async () => {
    const server = await countingServer();
    const { results, connectionsOpened } = await burst(server.url, 8, 8, 300);
    expect(connectionsOpened).toBe(8);
    expect(results.map((r) => (r.kind === "reply" ? r.status : r.error.kind))).toEqual(Array(300).fill(204));
    expect(server.stats().sockets).toBeLessThanOrEqual(8);
    expect(server.stats().mostInFlight).toBe(8);
  });

  it("queues requests beyond its connections instead of opening more", async () => {
    const server = await countingServer();
    const { results, connectionsOpened } = await burst(server.url, 3, 12, 120);
    expect(connectionsOpened).toBe(3);
    expect(results.filter((r) => r.kind === "reply" && r.status === 204)).toHaveLength(120);
    expect(server.stats().sockets).toBeLessThanOrEqual(3);
    expect(server.stats().mostInFlight).toBeLessThanOrEqual(3);
  });

  it("Ctrl-C ends the request in flight and the ones waiting for a connection, and the burst returns", async () => {
    const server = await countingServer((res) => setTimeout(() => res.writeHead(204).end(), 5_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { results } = await burst(server.url, 1, 3, 3, controller.signal);
    const messages = results.map((r) => (r.kind === "no-reply" ? r.error.message : r.status)).sort();
    expect(messages).toEqual([
      "interrupted before the request was sent",
      "interrupted before the request was sent",
      "interrupted: the request was sent, no answer yet",
    ]);
  });

  it("keeps the first MiB of a long answer, marked truncated, and the next request still goes through", async () => {
    const server = await countingServer((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(Buffer.alloc(3 * 1024 * 1024, "x"));
    });
    // Leaving the rest of an answer unread closes its connection: the next request opens a new one.
    const { results, connectionsOpened } = await burst(server.url, 1, 1, 2);
    expect(connectionsOpened).toBe(2);
    for (const result of results) {
      expect(result).toMatchObject({ kind: "reply", status: 200, truncated: true });
      expect(result.kind === "reply" && result.body.length).toBe(1024 * 1024);
    }
  });

  it("says the connection was refused when nobody listens", async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/webhook`;
    const { results } = await burst(url, 2, 2, 4);
    expect(results.map((r) => (r.kind === "no-reply" ? r.error.kind : r.status))).toEqual(Array(4).fill("refused"));
  });
});
