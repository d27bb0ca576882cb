// Shared bits for the Event API tests: unsigned JWTs with chosen claims, real webhook bodies from
// the fixture catalog, and teardown of servers and clients.
import { afterEach } from "vitest";
import { loadBuiltinFixtures } from "../../src/adapters/fixtures-fs.js";
import { findFixture } from "../../src/core/fixtures/catalog.js";
import { buildPayload } from "../../src/core/fixtures/payload.js";
import type { Fixture } from "../../src/core/fixtures/types.js";
import { mulberry32 } from "../../src/events-api/mock-server.js";

export const START = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A JWT-shaped string (not signed for real: nothing here verifies signatures). */
export function makeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.${Buffer.from("not-a-real-signature-0123456789").toString("base64url")}`;
}

let fixtures: Fixture[] | undefined;

/** A webhook body built from the built-in fixture `name`, with fresh ids from a seeded PRNG. */
export function webhookBody(name: string, seed = 1): Record<string, unknown> {
  fixtures ??= loadBuiltinFixtures();
  const fixture = findFixture(fixtures, name);
  const built = buildPayload(fixture, { context: { now: START, rand: mulberry32(seed) }, format: "compact" });
  return built.body as Record<string, unknown>;
}

const cleanups: (() => Promise<unknown>)[] = [];

/** Registers something to close after the current test. */
export function disposeLater<T extends { close(): Promise<unknown> }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const close of pending) await close();
});
