// Every command: where it sits, its one-line summary (for the command list in --help), and how to
// load its module. Only the module of the command being run is loaded, so start-up pays for one.
import type { CommandModule } from "../command.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module has its own options type
export type AnyCommand = CommandModule<any>;

export interface CommandEntry {
  path: readonly string[];
  summary: string;
  load(): Promise<AnyCommand>;
}

const entry = (path: string[], summary: string, load: () => Promise<{ command: AnyCommand }>): CommandEntry => ({
  path,
  summary,
  load: async () => (await load()).command,
});

export const GROUPS: Record<string, string> = {
  events: "read and acknowledge Xsolla Event API events, or run a local mock of the API",
  export: "write the same signed burst for another load tool (Artillery), to run past one machine",
};

export const REGISTRY: readonly CommandEntry[] = [
  entry(["list"], "list the built-in webhook fixtures", () => import("./list.js")),
  entry(["show"], "print the exact body bytes that would be sent", () => import("./show.js")),
  entry(
    ["schema"],
    "print a webhook body's JSON Schema or TypeScript type, generated from the catalog's schema",
    () => import("./schema.js"),
  ),
  entry(["sign"], "print the Authorization header Xsolla would send for a body", () => import("./sign.js")),
  entry(["send"], "sign a webhook and POST it to a handler, then check the answer", () => import("./send.js")),
  entry(["test"], "run the Xsolla webhook contract suite against a handler (for CI)", () => import("./test.js")),
  entry(
    ["flow"],
    "play Xsolla's webhook sequences (purchase, refund, subscription...) against a handler, with duplicates, races and reordering",
    () => import("./flow.js"),
  ),
  entry(["verify"], "check a signature against exact body bytes and explain a mismatch", () => import("./verify.js")),
  entry(["listen"], "run a reference Xsolla webhook handler that verifies and logs every request", () => import("./listen.js")),
  entry(["events", "list"], "GET /events: the unprocessed events for this user", () => import("./events/list.js")),
  entry(["events", "ack"], "POST /events/{id}/processed for each id", () => import("./events/ack.js")),
  entry(["events", "poll"], "poll for new events and print each once, in id order", () => import("./events/poll.js")),
  entry(
    ["events", "serve"],
    "run a local mock of the Event API (same routes, auth rules and shapes) with fault switches",
    () => import("./events/serve.js"),
  ),
  entry(
    ["events", "enqueue"],
    "add an event to a running mock (events serve) through its admin route",
    () => import("./events/enqueue.js"),
  ),
  entry(
    ["export", "artillery"],
    "write an Artillery scenario and a processor that signs each request as xsolla-hooks does",
    () => import("./export-artillery.js"),
  ),
  entry(
    ["interactive"],
    "a guided prompt: pick a webhook, edit a few fields, send it (also: xsolla-hooks with no arguments on a terminal)",
    () => import("./interactive.js"),
  ),
  entry(["completion"], "print a shell completion script for commands, webhook types and flags", () => import("./completion.js")),
  entry(
    ["demo"],
    "start a receiver on loopback and send it every webhook type, a bad signature and an unknown user",
    () => import("./demo.js"),
  ),
];
