// argv → typed options, for every command, in-process and without running anything: the command
// boundary parses numbers, durations, URLs and lists once, here. Run behaviour is tested elsewhere.
import { describe, expect, it } from "vitest";
import { invokedPath, parseCommandLine } from "../../src/cli/program.js";
import { REGISTRY } from "../../src/cli/commands/index.js";

const payload = (extra: Record<string, unknown> = {}) => ({
  sets: [],
  merges: [],
  bodyFormat: "pretty",
  maxBody: 16 * 1024 * 1024,
  ...extra,
});
const noAuth = { jwt: undefined, jwtFile: undefined, token: undefined, projectId: undefined, baseUrl: undefined };

interface Case {
  argv: string[];
  options: Record<string, unknown>;
}

const TABLE: Record<string, Case[]> = {
  list: [
    { argv: ["list"], options: { json: false } },
    { argv: ["list", "--json", "--fixtures-dir", "my-fixtures"], options: { json: true, fixturesDir: "my-fixtures" } },
  ],
  show: [
    { argv: ["show", "payment"], options: { source: "payment", payload: payload() } },
    {
      argv: [
        "show",
        "order_paid",
        "--variant",
        "separate",
        "--set",
        "a=1",
        "--set-string",
        "b=2",
        "--set",
        "c=true",
        "--merge",
        "m.json",
        "--keep-ids",
        "--body-format",
        "compact",
      ],
      options: {
        source: "order_paid",
        payload: payload({
          variant: "separate",
          sets: [
            { path: "a", value: 1 },
            { path: "b", value: "2" },
            { path: "c", value: true },
          ],
          merges: ["m.json"],
          keepIds: true,
          bodyFormat: "compact",
        }),
      },
    },
    { argv: ["show", "-", "--data", "body.json"], options: { source: "-", payload: payload({ data: "body.json" }) } },
  ],
  sign: [
    { argv: ["sign", "payment"], options: { source: "payment", payload: payload(), json: false, format: "header" } },
    {
      argv: ["sign", "body.json", "--secret", "s", "--format", "curl", "--url", "http://localhost:3000/hook"],
      options: { source: "body.json", secret: "s", format: "curl", url: "http://localhost:3000/hook", json: false, payload: payload() },
    },
  ],
  send: [
    {
      argv: ["send", "payment", "--url", "http://localhost:3000/webhook", "--secret", "s"],
      options: {
        source: "payment",
        url: "http://localhost:3000/webhook",
        secret: "s",
        signature: "valid",
        headers: {},
        json: false,
        resign: false,
        payload: payload(),
      },
    },
    {
      argv: ["send", "payment", "--bad-signature", "--expect", "4xx", "--timeout", "250", "--header", "X-Trace: 1", "--json"],
      options: {
        source: "payment",
        signature: "wrong-secret",
        expect: "4xx",
        timeoutMs: 250,
        headers: { "x-trace": "1" },
        json: true,
        resign: false,
        payload: payload(),
      },
    },
    {
      argv: ["send", "payment", "--no-signature"],
      options: { source: "payment", signature: "none", headers: {}, json: false, resign: false, payload: payload() },
    },
    {
      argv: ["send", "--request", "c.http", "--resign"],
      options: { request: "c.http", resign: true, signature: "valid", headers: {}, json: false, payload: payload() },
    },
    {
      argv: [
        "send",
        "order_paid",
        "--retry",
        "--schedule",
        "2x5m,1h",
        "--max-attempts",
        "3",
        "--speed",
        "60",
        "--expect-final",
        "4xx",
        "--expect-attempts",
        "2",
        "--policy",
        "payment",
      ],
      options: {
        source: "order_paid",
        signature: "valid",
        headers: {},
        json: false,
        resign: false,
        payload: payload(),
        retry: {
          scheduleMs: [300_000, 300_000, 3_600_000],
          maxAttempts: 3,
          speed: 60,
          realtime: false,
          expectFinal: "4xx",
          expectAttempts: 2,
          policy: "payment",
        },
      },
    },
    {
      argv: ["send", "payment", "--repeat", "20000", "--concurrency", "64", "--rate", "600/m", "--duration", "30s"],
      options: {
        source: "payment",
        burst: { repeat: 20000, concurrency: 64, ids: undefined, ratePerSecond: 10, durationMs: 30_000, stateProbe: undefined },
      },
    },
    {
      argv: ["send", "order_paid", "--repeat", "3", "--concurrency", "64", "--same-ids", "--state-probe", "cat n"],
      options: { source: "order_paid", burst: { repeat: 3, concurrency: 3, ids: "same", stateProbe: "cat n" } },
    },
    {
      argv: ["send", "payment", "--duration", "45", "--unique-ids"],
      options: { burst: { repeat: undefined, concurrency: 10, ids: "unique", durationMs: 45_000, ratePerSecond: undefined } },
    },
    {
      argv: ["send", "payment", "--retry", "--realtime", "--no-color"],
      options: {
        source: "payment",
        color: false,
        retry: { realtime: true },
        signature: "valid",
        headers: {},
        json: false,
        resign: false,
        payload: payload(),
      },
    },
  ],
  test: [
    { argv: ["test"], options: {} },
    { argv: ["test", "--json", "--state-probe", "psql -tc 'select 1'"], options: { reporter: "json", stateProbe: "psql -tc 'select 1'" } },
    {
      argv: [
        "test",
        "--url",
        "http://127.0.0.1:8080/x",
        "--secret",
        "s",
        "--types",
        "payment,refund",
        "--reporter",
        "junit",
        "--output",
        "r.xml",
        "--strict",
        "--budget",
        "500",
        "--timeout",
        "900",
        "--valid-user",
        "u1",
        "--unknown-user",
        "nobody",
        "--header",
        "A: b",
        "--config",
        "c.json",
      ],
      options: {
        url: "http://127.0.0.1:8080/x",
        secret: "s",
        types: "payment,refund",
        reporter: "junit",
        output: "r.xml",
        strict: true,
        budgetMs: 500,
        timeoutMs: 900,
        validUser: "u1",
        unknownUser: "nobody",
        headers: { a: "b" },
        config: "c.json",
      },
    },
  ],
  verify: [
    {
      argv: ["verify", "body.json", "--signature", "abc", "--secret", "s"],
      options: { source: "body.json", signature: "abc", secret: "s", json: false, maxBody: 16 * 1024 * 1024 },
    },
    {
      argv: ["verify", "--request", "c.http", "--expected-body", "sent.json", "--json", "--max-body", "1MiB"],
      options: { request: "c.http", expectedBody: "sent.json", json: true, maxBody: 1024 * 1024 },
    },
  ],
  listen: [
    {
      argv: ["listen"],
      options: {
        port: 0,
        host: "127.0.0.1",
        statusStyle: "docs",
        drop: false,
        bodyLimit: 1024 * 1024,
        json: false,
        knownUsers: ["sample_user_1"],
      },
    },
    { argv: ["listen", "--known-user", "p1", "--known-user", "p2"], options: { knownUsers: ["sample_user_1", "p1", "p2"] } },
    { argv: ["listen", "--any-user"], options: { knownUsers: "any" } },
    { argv: ["listen", "--quiet", "--log-file", "r.log", "--history", "50"], options: { quiet: true, logFile: "r.log", history: 50 } },
    {
      argv: [
        "listen",
        "--port",
        "3000",
        "--host",
        "0.0.0.0",
        "--unknown-user",
        "a",
        "--unknown-user",
        "b",
        "--status-style",
        "sdk",
        "--status",
        "503",
        "--fail-first",
        "2",
        "--delay",
        "10",
        "--drop",
        "--body-limit",
        "100",
        "--max-requests",
        "5",
        "--save",
        "caps",
        "--json",
      ],
      options: {
        port: 3000,
        host: "0.0.0.0",
        unknownUsers: ["a", "b"],
        statusStyle: "sdk",
        forceStatus: 503,
        failFirst: 2,
        delayMs: 10,
        drop: true,
        bodyLimit: 100,
        maxRequests: 5,
        save: "caps",
        json: true,
      },
    },
  ],
  "events list": [
    { argv: ["events", "list"], options: { auth: noAuth, json: false } },
    {
      argv: [
        "events",
        "list",
        "--jwt",
        "j",
        "--after-id",
        "7",
        "--types",
        "order_paid, payment",
        "--json",
        "--project-id",
        "p",
        "--base-url",
        "http://127.0.0.1:1",
      ],
      options: {
        auth: { jwt: "j", projectId: "p", baseUrl: "http://127.0.0.1:1" },
        afterId: 7,
        types: ["order_paid", "payment"],
        json: true,
      },
    },
  ],
  "events ack": [{ argv: ["events", "ack", "1", "22", "--token", "t"], options: { auth: { token: "t" }, ids: [1, 22], json: false } }],
  "events poll": [
    {
      argv: ["events", "poll"],
      options: {
        auth: noAuth,
        intervalMs: 3_000,
        ack: false,
        once: false,
        maxFailures: 10,
        backoff: { baseMs: 1_000, maxMs: 60_000 },
        json: false,
      },
    },
    {
      argv: [
        "events",
        "poll",
        "--interval",
        "500ms",
        "--ack",
        "--once",
        "--max-events",
        "4",
        "--duration",
        "2m",
        "--max-failures",
        "3",
        "--backoff",
        "250",
        "--after-id",
        "9",
        "--types",
        "payment",
        "--forward-to",
        "http://localhost:3000/h",
        "--forward-schedule",
        "2x5m,1h",
        "--secret",
        "s",
        "--jwt-file",
        "jwt.txt",
      ],
      options: {
        auth: { jwtFile: "jwt.txt" },
        intervalMs: 500,
        ack: true,
        once: true,
        maxEvents: 4,
        durationMs: 120_000,
        maxFailures: 3,
        backoff: { baseMs: 250, maxMs: 60_000 },
        afterId: 9,
        types: ["payment"],
        forwardTo: "http://localhost:3000/h",
        forwardScheduleMs: [300_000, 300_000, 3_600_000],
        secret: "s",
        json: false,
      },
    },
  ],
  "events serve": [
    { argv: ["events", "serve"], options: { port: 0, host: "127.0.0.1", json: false, faults: {}, errorBody: "webhook" } },
    {
      argv: [
        "events",
        "serve",
        "--port",
        "8787",
        "--fail-rate",
        "0.2",
        "--ack-fail-rate",
        "0.1",
        "--drop-rate",
        "0",
        "--rate-limit",
        "5",
        "--unauthorized",
        "--seed",
        "7",
        "--page-size",
        "10",
        "--jwt",
        "j",
        "--overlap-rate",
        "0.3",
        "--duplicate-rate",
        "0.1",
        "--slow-rate",
        "0.05",
        "--slow-ms",
        "20s",
        "--ack-lost-rate",
        "0.2",
        "--jwt-expire-after",
        "10",
        "--error-body",
        "login",
      ],
      options: {
        port: 8787,
        jwt: "j",
        pageSize: 10,
        errorBody: "login",
        faults: {
          failRate: 0.2,
          ackFailRate: 0.1,
          dropRate: 0,
          rateLimit: 5,
          unauthorized: true,
          seed: 7,
          overlapRate: 0.3,
          duplicateRate: 0.1,
          slowRate: 0.05,
          slowMs: 20_000,
          ackLostRate: 0.2,
          jwtExpireAfter: 10,
        },
      },
    },
  ],
  "events enqueue": [
    {
      argv: ["events", "enqueue", "payment", "--count", "3", "--base-url", "http://127.0.0.1:9", "--set", "user.id=p1"],
      options: {
        source: "payment",
        count: 3,
        baseUrl: "http://127.0.0.1:9/",
        json: false,
        payload: payload({ sets: [{ path: "user.id", value: "p1" }] }),
      },
    },
  ],
  interactive: [
    { argv: ["interactive"], options: { forget: false } },
    { argv: ["interactive", "--forget"], options: { forget: true } },
  ],
  completion: [{ argv: ["completion", "zsh"], options: { shell: "zsh" } }],
  demo: [{ argv: ["demo", "--json"], options: { json: true } }],
};

describe("argv → options, every command", () => {
  it("the table covers every registered command", () => {
    expect(Object.keys(TABLE).sort()).toEqual(REGISTRY.map((c) => c.path.join(" ")).sort());
  });

  for (const [name, cases] of Object.entries(TABLE)) {
    it.each(cases.map((c) => [c.argv.join(" "), c] as const))(`${name}: %s`, async (_label, { argv, options }) => {
      const parsed = await parseCommandLine(argv);
      expect(parsed.command).toBe(name);
      expect(parsed.options).toMatchObject(options);
    });
  }
});

describe("only the invoked command's module is loaded: which one argv names", () => {
  it.each([
    [["send", "payment", "--url", "x"], ["send"]],
    [["--no-color", "send"], ["send"]],
    [
      ["events", "poll", "--ack"],
      ["events", "poll"],
    ],
    [
      ["help", "events", "list"],
      ["events", "list"],
    ],
    [["--version"], []],
    [["send", "--", "events"], ["send"]],
    [[], []],
  ])("%j → %j", (argv, path) => {
    expect(invokedPath(argv)).toEqual(path);
  });
});

describe("bad values are refused at the boundary, before anything runs", () => {
  it.each([
    [["send", "payment", "--timeout", "soon"], /invalid --timeout "soon"/],
    [["send", "payment", "--url", "ftp://x"], /only http:\/\/ and https:\/\//],
    [["send", "payment", "--expect", "abc"], /invalid --expect "abc"/],
    [["send", "payment", "--schedule", "1m"], /go with --retry/],
    [["send", "payment", "--retry", "--expect", "2xx"], /--expect does not go with --retry/],
    [["send", "payment", "--retry", "--speed", "0"], /invalid --speed/],
    [["send", "payment", "--retry", "--expect-final", "maybe"], /invalid --expect-final "maybe"/],
    [["send", "payment", "--resign"], /--resign goes with --request/],
    [["listen", "--port", "70000"], /invalid --port/],
    [["events", "poll", "--interval", "soon"], /invalid --interval/],
    [["events", "serve", "--fail-rate", "2"], /invalid --fail-rate/],
    [["events", "serve", "--ack-lost-rate", "-1"], /invalid --ack-lost-rate/],
    [["events", "serve", "--slow-ms", "11m"], /invalid --slow-ms "11m": at most 10m/],
    [["events", "serve", "--jwt-expire-after", "x"], /invalid --jwt-expire-after/],
    [["events", "poll", "--forward-schedule", "1m"], /--forward-schedule goes with --forward-to/],
    [["events", "poll", "--forward-to", "http://h", "--forward-schedule", "1m,,2m"], /invalid --forward-schedule "1m,,2m": empty entry/],
    [["events", "ack", "x"], /invalid event id/],
    [["completion", "toString"], /unknown shell "toString"/],
    [["test", "--types", ""], /--types is empty/],
    [["events", "list", "--types", ""], /--types is empty/],
    [["events", "poll", "--types", " , "], /--types is empty/],
    [["test", "--json", "--reporter", "tap"], /--json and --reporter tap disagree/],
    [["test", "--state-probe", " "], /--state-probe is empty/],
    [["send", "payment", "--expect", "4xx:"], /invalid --expect "4xx:"/],
    [["completion", "constructor"], /unknown shell "constructor"/],
    [["send", "payment", "--concurrency", "4"], /go with --repeat N or --duration D/],
    [["send", "payment", "--same-ids"], /go with --repeat N or --duration D/],
    [["send", "payment", "--repeat", "5", "--retry"], /--retry does not go with --repeat/],
    [["send", "payment", "--repeat", "5", "--state-probe", "true"], /--state-probe goes with --same-ids/],
    [["send", "payment", "--repeat", "0"], /invalid --repeat "0"/],
    [["send", "payment", "--repeat", "5", "--concurrency", "5000"], /invalid --concurrency "5000"/],
    [["send", "payment", "--repeat", "5", "--rate", "fast"], /invalid --rate "fast"/],
    [["send", "payment", "--repeat", "5", "--rate", "0/s"], /invalid --rate "0\/s"/],
    [["send", "payment", "--duration", "soon"], /invalid --duration "soon"/],
    [["send", "payment", "--repeat", "5", "--unique-ids", "--keep-ids"], /--unique-ids does not go with --keep-ids/],
    [["send", "--request", "c.http", "--repeat", "5", "--unique-ids"], /--unique-ids does not go with --keep-ids or --request/],
    [["export", "artillery"], /missing webhook type/],
  ])("%j", async (argv, message) => {
    await expect(parseCommandLine(argv)).rejects.toThrow(message);
  });
});
