// Declarations only: every action lazy-imports its command module, so `--version` and `sign` never
// load undici, zod, chalk or @inquirer.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import type { Io } from "./io.js";
import type { OrderedSet } from "./options.js";

type Report = (code: number) => void;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** --set and --set-string land in one ordered list, so the last one on the command line wins. */
function payloadOptions(command: Command, sequence: { next: number }): Command {
  const collect = (forceString: boolean) => (value: string, previous: OrderedSet[] | undefined) => [...(previous ?? []), { arg: value, forceString, order: sequence.next++ }];
  return command
    .option("--variant <name>", "fixture variant, e.g. separate for order_paid / order_canceled")
    .option("--set <path=value>", "set a field (dot path, array indexes: items.0.sku); value parsed as JSON if it parses (repeatable)", collect(false))
    .option("--set-string <path=value>", "set a field to a string, never parsed as JSON (repeatable)", collect(true))
    .option("--data <file|->", "use this JSON body instead of the fixture's (sent byte for byte unless edited)")
    .option("--merge <file>", "deep-merge a JSON document into the body (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option("--keep-ids", "keep the fixture's ids and dates instead of fresh ones")
    .addOption(new Option("--body-format <style>", "whitespace of a fixture body").choices(["pretty", "compact"]).default("pretty"))
    .option("--fixtures-dir <dir>", "also load fixtures from this directory (env XSOLLA_HOOKS_FIXTURES_DIR)");
}

export function createProgram(io: Io, report: Report): Command {
  const sequence = { next: 0 };
  const program = new Command("xsolla-hooks");
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true)
    .description("Sign, send, receive and debug Xsolla webhooks.")
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--debug", "print stack traces for errors")
    .option("--no-color", "never colour the output (also NO_COLOR=1)")
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks demo",
        "xsolla-hooks send payment --url http://localhost:3000/webhook --secret $XSOLLA_WEBHOOK_SECRET",
        "xsolla-hooks listen --port 3000 --secret s3cr3t",
      ) + "\nExit codes: 0 ok, 1 check failed, 2 usage or bad input, 3 target unreachable, 70 bug, 130 interrupted.\n",
    );

  const run = (load: () => Promise<{ run: (opts: never, io: Io) => Promise<number> }>) =>
    async function (this: Command, ...args: unknown[]) {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, -2);
      const options = { ...command.optsWithGlobals(), args: positional };
      const module = await load();
      report(await module.run(options as never, io));
    };

  program
    .command("list")
    .description("list the built-in webhook fixtures")
    .option("--json", "print JSON")
    .option("--fixtures-dir <dir>", "also list fixtures from this directory")
    .addHelpText("after", examples("xsolla-hooks list", "xsolla-hooks list --json | jq '.[].id'"))
    .action(run(() => import("./commands/list.js")));

  payloadOptions(
    program
      .command("show")
      .argument("<type|file|->", "webhook type (see list), a JSON file, or - for stdin")
      .description("print the exact body bytes that would be sent"),
    sequence,
  )
    .addHelpText("after", examples("xsolla-hooks show order_paid", "xsolla-hooks show order_paid --variant separate --set items.0.sku=gold_pack", "xsolla-hooks show payment --keep-ids > body.json"))
    .action(run(() => import("./commands/show.js")));

  payloadOptions(
    program
      .command("sign")
      .argument("<type|file|->", "webhook type (its fixture as-is, like show --keep-ids), a JSON file, or - for stdin")
      .description("print the Authorization header Xsolla would send for a body")
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--json", 'print {"signature","header"}')
      .addOption(new Option("--format <what>", "header: the Authorization line; hex: the signature alone; curl: a ready-to-run curl command").choices(["header", "hex", "curl"]).default("header"))
      .option("--url <url>", "with --format curl: the handler URL (default: $XSOLLA_WEBHOOK_URL in the command)"),
    sequence,
  )
    .addHelpText("after", examples("xsolla-hooks sign body.json --secret s3cr3t", "cat body.json | xsolla-hooks sign - --secret s3cr3t --json", "xsolla-hooks sign payment --secret s3cr3t --format curl --url http://localhost:3000/webhook"))
    .action(run(() => import("./commands/sign.js")));

  payloadOptions(
    program
      .command("send")
      .argument("[type|file|-]", "webhook type (see list), a JSON file, or - for stdin (none with --request)")
      .description("sign a webhook and POST it to a handler, then check the answer")
      .option("--url <url>", "handler URL (env XSOLLA_WEBHOOK_URL)")
      .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
      .option("--expect <codes>", "expected status codes or classes, e.g. 204, 2xx, 200,204 (default: the type's documented success)")
      .option("--bad-signature", "sign with a wrong secret (expects a 4xx INVALID_SIGNATURE unless --expect)")
      .option("--no-signature", "send no Authorization header (expects a 4xx INVALID_SIGNATURE unless --expect)")
      .option("--header <K: V>", "extra request header (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
      .option("--timeout <ms>", "per-attempt timeout in milliseconds", "10000")
      .option("--json", "print one JSON object and nothing else on stdout")
      .option("--request <file>", "re-send a request captured by listen --save, as it was (same bytes, same signature)")
      .option("--resign", "with --request: sign the captured bytes again with --secret (e.g. production capture to staging)")
      .option("--retry", "replay Xsolla's resend schedule for the type until a final answer (virtual clock: no real waiting)")
      .option("--schedule <delays>", "with --retry: replace the delays, e.g. 5m,5m,15m or 2x5m,7x15m,10x1h")
      .option("--max-attempts <n>", "with --retry: at most N attempts in all")
      .option("--policy <name>", "with --retry: order, payment, generic, none, or a type whose policy to use")
      .option("--speed <n>", "with --retry: really wait 1/N of each interval")
      .option("--realtime", "with --retry: really wait every interval")
      .option("--expect-attempts <n>", "with --retry: pass only if delivered at exactly attempt N")
      .option("--expect-final <code|class>", "with --retry: pass only if delivery ended in this final failure (e.g. 400, 4xx, exhausted, no-answer)"),
    sequence,
  )
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks send payment --url http://localhost:3000/webhook --secret s3cr3t",
        "xsolla-hooks send order_paid --variant separate --set user.external_id=42 --url $URL --secret $SECRET",
        "xsolla-hooks send user_validation --set user.id=test_xsolla_nobody --expect 4xx --url $URL --secret $SECRET",
        "xsolla-hooks send payment --bad-signature --url $URL --secret $SECRET --json",
        "xsolla-hooks send order_paid --retry --url $URL --secret $SECRET",
        "xsolla-hooks send --request captures/000001-20261121T235959.123Z-payment.http --url http://localhost:3000/webhook",
        "xsolla-hooks send --request prod.http --resign --secret $STAGING_SECRET --url https://staging.example.com/xsolla",
        "xsolla-hooks send payment --retry --schedule 1m,5m,30m --speed 60 --url $URL --secret $SECRET",
      ) +
        "\nRetry policies (--retry):\n" +
        "  order    order_paid, order_canceled: Xsolla's documented schedule, 2x5m, 7x15m, 10x60m (20 attempts over 11h55m);\n" +
        "           200/201/204 delivered; 400/401/402/403/404/409/415/422 final; anything else or no answer resent.\n" +
        "  payment  payment, refund, partial_refund: resent after a 5xx or no answer, at most 12 times within 12 h.\n" +
        "           Xsolla publishes no intervals: 1m,2m,5m,10m,15m,30m,30m,1h,1h,2h,2h,3h is OUR MODEL (--schedule replaces it).\n" +
        "  generic  other webhooks: Xsolla's older overview says at most 12 resends within 12 h; same MODEL intervals.\n" +
        "  none     user_validation, user_search, partner_side_catalog, get_pincode: never resent.\n",
    )
    .action(run(() => import("./commands/send.js")));

  program
    .command("test")
    .description("run the Xsolla webhook contract suite against a handler (for CI)")
    .option("--url <url>", "handler URL (env XSOLLA_WEBHOOK_URL)")
    .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
    .option("--config <file>", "config file (default: xsolla-hooks.config.json found from here upward)")
    .option("--types <list>", "webhook types to test, comma-separated, or all (default: user_validation,payment,refund,order_paid,order_canceled)")
    .addOption(new Option("--reporter <name>", "report format").choices(["pretty", "json", "junit", "tap"]))
    .option("--output <file>", "write the report to a file (atomically) and print a summary")
    .option("--strict", "require Xsolla's documented codes exactly (204 success, 400 rejections)")
    .option("--budget <ms>", "slowest acceptable answer (default 3000, Xsolla's recommendation)")
    .option("--timeout <ms>", "per-request timeout (default 10000)")
    .option("--valid-user <id>", "a user id the handler knows (user_validation)")
    .option("--unknown-user <id>", "a user id the handler must refuse (default test_xsolla_<random>)")
    .option("--header <K: V>", "extra request header (repeatable)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option("--fixtures-dir <dir>", "also load fixtures from this directory")
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks test --url https://staging.example.com/xsolla --secret $XSOLLA_WEBHOOK_SECRET",
        "xsolla-hooks test --reporter junit --output reports/xsolla.xml",
        "xsolla-hooks test --types all --strict --reporter json | jq .failed",
      ) +
        "\nChecks: accepts-signed:<type>, rejects-bad-signature, rejects-missing-signature, rejects-tampered-body,\n" +
        "rejects-unknown-user, hashes-raw-body, rejects-malformed-json, idempotent-redelivery:<order_paid|payment>, responds-in-time.\n" +
        "Exit: 0 all passed, 1 a check failed, 2 usage or config error, 3 handler unreachable.\n",
    )
    .action(run(() => import("./commands/test.js")));

  program
    .command("verify")
    .argument("[body-file|-]", "the exact body bytes the handler received (- for stdin)")
    .description("check a signature against exact body bytes and explain a mismatch")
    .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
    .option("--signature <value>", 'the signature: hex, "Signature <hex>" or "Authorization: Signature <hex>"')
    .option("--request <file>", "a raw HTTP request as captured by listen --save (body and Authorization taken from it)")
    .option("--expected-body <file>", "the body as it was sent, to find where it changed in transit")
    .option("--json", 'print {"ok","diagnosis","message","hint","expected","received","details"}')
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks verify body.json --secret $XSOLLA_WEBHOOK_SECRET --signature 52eac2713985e212351610d008e7e14fae46f902",
        "xsolla-hooks verify --request captures/000001-20261121T235959.123Z-payment.http --secret $XSOLLA_WEBHOOK_SECRET",
        "xsolla-hooks verify received.json --signature \"Authorization: Signature 52ea...\" --expected-body sent.json --json",
      ) +
        "\nDiagnoses: body-reserialized-compact, body-reserialized-pretty, body-keys-sorted, body-escaping, trailing-newline, crlf, bom,\n" +
        "secret-whitespace, secret-first, hmac-sha1, sha256, uppercase-hex, header-format, no-match. Exit 0 match, 1 mismatch, 2 bad input.\n",
    )
    .action(run(() => import("./commands/verify.js")));

  program
    .command("listen")
    .description("run a reference Xsolla webhook handler that verifies and logs every request")
    .option("--port <port>", "port (0 picks a free one)", "0")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--secret <secret>", "project webhook secret (env XSOLLA_WEBHOOK_SECRET)")
    .option("--unknown-user <id>", "treat this user id as unknown in user_validation (repeatable; ids starting test_xsolla always are)", (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .addOption(new Option("--status-style <style>", "rejection statuses: docs = 400, sdk = 401/422 like Xsolla's PHP SDK").choices(["docs", "sdk"]).default("docs"))
    .option("--status <code>", "answer this status to every correctly signed delivery")
    .option("--fail-first <n>", "answer 500 to the first N correctly signed deliveries")
    .option("--delay <ms>", "wait this long before answering")
    .option("--drop", "close the connection without answering correctly signed deliveries")
    .option("--body-limit <bytes>", "answer 413 to bodies larger than this", String(1024 * 1024))
    .option("--max-requests <n>", "stop after N requests (exit 0)")
    .option("--save <dir>", "write every request exactly as it arrived (request line, headers, raw body) to one file each, named in arrival order")
    .option("--json", "print one JSON line per request")
    .addHelpText("after", examples("xsolla-hooks listen --port 3000 --secret s3cr3t", "xsolla-hooks listen --secret s3cr3t --fail-first 3 --json", "xsolla-hooks listen --secret s3cr3t --status-style sdk --unknown-user banned_42"))
    .action(run(() => import("./commands/listen.js")));

  const events = program
    .command("events")
    .description("read and acknowledge Xsolla Event API events, or run a local mock of the API")
    .addHelpText(
      "after",
      examples(
        "xsolla-hooks events list --jwt $XSOLLA_JWT",
        "xsolla-hooks events poll --ack --json",
        "xsolla-hooks events serve --port 8787",
        "xsolla-hooks events enqueue order_paid --base-url http://127.0.0.1:8787",
      ),
    );
  const eventAuth = (command: Command) =>
    command
      .option("--jwt <jwt>", "Xsolla Login user JWT, sent as Authorization: Bearer (env XSOLLA_JWT)")
      .option("--token <token>", "payment token, sent as the token query parameter (env XSOLLA_PAYMENT_TOKEN)")
      .option("--project-id <id>", "sent as project_id, as Xsolla's Unity SDK does (env XSOLLA_PROJECT_ID)")
      .option("--base-url <url>", "Event API base URL (env XSOLLA_EVENT_API_URL; default https://getupdate.xsolla.com)");
  eventAuth(events.command("list").description("GET /events: the unprocessed events for this user"))
    .option("--after-id <n>", "only events after this id")
    .option("--types <list>", "only these notification types, comma-separated")
    .option("--json", "one JSON line per event: {id,type,status,created_at,data}")
    .addHelpText("after", examples("xsolla-hooks events list --jwt $XSOLLA_JWT", "xsolla-hooks events list --token $TOKEN --types order_paid --json"))
    .action(run(() => import("./commands/events/list.js")));
  eventAuth(events.command("ack").argument("<id...>", "event ids").description("POST /events/{id}/processed for each id"))
    .option("--json", "one JSON line per id")
    .addHelpText("after", examples("xsolla-hooks events ack 101 102 --jwt $XSOLLA_JWT"))
    .action(run(() => import("./commands/events/ack.js")));
  eventAuth(events.command("poll").description("poll for new events and print each once, in id order"))
    .option("--interval <duration>", "pause after a poll with nothing new, e.g. 3s (default 3s, as Xsolla's Unity SDK)")
    .option("--ack", "mark each event processed after it is printed (or forwarded)")
    .option("--once", "stop when caught up")
    .option("--max-events <n>", "stop after N events")
    .option("--duration <duration>", "stop after this long, e.g. 10m")
    .option("--max-failures <n>", "give up after N failed requests in a row (default 10; exit 3)")
    .option("--backoff <duration>", "first wait after a failure, doubled each time with jitter up to 60s (default 1s)")
    .option("--after-id <n>", "start after this id")
    .option("--types <list>", "only these notification types, comma-separated")
    .option("--forward-to <url>", "sign each event's data and POST it as a webhook; with --ack, ack only after a 2xx")
    .option("--secret <secret>", "webhook secret for --forward-to (env XSOLLA_WEBHOOK_SECRET)")
    .option("--json", "one JSON line per event on stdout; the summary goes to stderr")
    .addHelpText(
      "after",
      examples("xsolla-hooks events poll --jwt $XSOLLA_JWT", "xsolla-hooks events poll --ack --once --json", "xsolla-hooks events poll --ack --forward-to http://localhost:3000/webhook --secret $XSOLLA_WEBHOOK_SECRET"),
    )
    .action(run(() => import("./commands/events/poll.js")));
  events
    .command("serve")
    .description("run a local mock of the Event API (same routes, auth rules and shapes) with fault switches")
    .option("--port <port>", "port (0 picks a free one)", "0")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--jwt <jwt>", "accept only this JWT (default: any non-empty Bearer JWT or token)")
    .option("--token <token>", "accept only this payment token")
    .option("--fail-rate <p>", "answer this fraction of API requests with 500")
    .option("--ack-fail-rate <p>", "also fail this fraction of POST /events/{id}/processed")
    .option("--drop-rate <p>", "close this fraction of connections without an answer")
    .option("--rate-limit <n>", "at most N requests per second, then 429 with Retry-After")
    .option("--unauthorized", "answer 401 to every API request")
    .option("--seed <n>", "seed for repeatable faults")
    .option("--page-size <n>", "events per GET /events page (default 50; Xsolla's is undocumented)")
    .option("--json", "one JSON line per request")
    .addHelpText("after", examples("xsolla-hooks events serve --port 8787", "xsolla-hooks events serve --fail-rate 0.2 --rate-limit 5 --seed 7"))
    .action(run(() => import("./commands/events/serve.js")));
  payloadOptions(
    events
      .command("enqueue")
      .argument("<type|file|->", "webhook type from the catalog, a JSON file, or - for stdin")
      .description("add an event to a running mock (events serve) through its admin route")
      .option("--base-url <url>", "the mock's URL (env XSOLLA_EVENT_API_URL)")
      .option("--count <n>", "add N events, each with fresh ids")
      .option("--json", "one JSON line per event"),
    sequence,
  )
    .addHelpText("after", examples("xsolla-hooks events enqueue order_paid --base-url http://127.0.0.1:8787", "xsolla-hooks events enqueue payment --count 5 --set user.id=player_1 --base-url $URL"))
    .action(run(() => import("./commands/events/enqueue.js")));

  program
    .command("interactive")
    .description("a guided prompt: pick a webhook, edit a few fields, send it (also: xsolla-hooks with no arguments on a terminal)")
    .addHelpText("after", examples("xsolla-hooks interactive", "xsolla-hooks"))
    .action(run(() => import("./commands/interactive.js")));

  program
    .command("completion")
    .argument("<shell>", "bash, zsh or fish")
    .description("print a shell completion script for commands, webhook types and flags")
    .addHelpText("after", examples("xsolla-hooks completion bash > ~/.local/share/bash-completion/completions/xsolla-hooks", "source <(xsolla-hooks completion bash)", "xsolla-hooks completion zsh > \"${fpath[1]}/_xsolla-hooks\"", "xsolla-hooks completion fish | source"))
    .action(async (shell: string) => {
      const module = await import("./commands/completion.js");
      report(await module.run({ args: [shell], program }, io));
    });

  program
    .command("demo")
    .description("start a receiver on loopback and send it every webhook type, a bad signature and an unknown user")
    .option("--json", "print the results as JSON")
    .addHelpText("after", examples("xsolla-hooks demo", "xsolla-hooks demo --json"))
    .action(run(() => import("./commands/demo.js")));

  return program;
}
