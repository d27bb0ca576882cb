// undici is CommonJS. Imported from an ES module, Node first scans its source for named exports and builds a wrapper
// module around it; required, it simply loads. One-shot commands pay undici's load on every run (bench/startup.mjs).
import { createRequire } from "node:module";
import type * as Undici from "undici";

const undici = createRequire(import.meta.url)("undici") as typeof Undici;

export const { Agent, Client, request } = undici;
export type Agent = Undici.Agent;
export type Client = Undici.Client;
export type { Dispatcher } from "undici";
