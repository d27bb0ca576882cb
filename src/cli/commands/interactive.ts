// The wizard: pick an action and a webhook, change a few fields, fire it, then repeat or get the
// equivalent command line. It only ever builds argv for the ordinary commands and runs them, so
// what is done by hand is exactly what a script would do.
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { formatCommandLine } from "../../core/command-line.js";
import { keyFieldsOf, type KeyField } from "../../core/fixtures/key-fields.js";
import type { Fixture } from "../../core/fixtures/types.js";
import { checkUrl, DEFAULT_HANDLER_URL, type Target } from "../../core/settings.js";
import { loadBuiltinFixtures } from "../../adapters/fixtures-fs.js";
import { loadState, saveState } from "../../adapters/state-file.js";
import { defineCommand, examples } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { loadTarget } from "../../adapters/config-file.js";

type Prompts = typeof import("@inquirer/prompts");
type Action = "send" | "retry" | "test" | "verify" | "events" | "listen";

const ACTIONS: { value: Action; name: string; description: string }[] = [
  { value: "send", name: "Send a webhook", description: "sign a fixture and POST it to your handler" },
  { value: "retry", name: "Send with retry replay", description: "replay Xsolla's resend schedule on a virtual clock" },
  { value: "test", name: "Run the contract suite", description: "check a handler against Xsolla's webhook contract" },
  { value: "verify", name: "Verify a signature", description: "explain why a signature does or does not match" },
  { value: "events", name: "Poll the Event API", description: "print events for a user JWT or payment token" },
  { value: "listen", name: "Start the receiver", description: "a reference handler that logs what it gets" },
];

interface Invocation {
  action: Action;
  argv: string[];
  /** Values that go through the environment, never on the command line. */
  env: Record<string, string>;
  /** The secret-bearing flag the printed command line should show, e.g. --secret "$XSOLLA_WEBHOOK_SECRET". */
  shownExtra: string[];
  type?: string;
  fields?: { path: string; value: string; original: KeyField["value"] }[];
  url?: string;
}

const isPromptExit = (error: unknown) => error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError");

/** The pre-filled URL: the one resolver's answer (flags > environment > config file), then the remembered one, then the default. */
async function askUrl(prompts: Prompts, target: Target, remembered: string | undefined, message = "Handler URL"): Promise<string> {
  const fallback = target.url ?? remembered ?? DEFAULT_HANDLER_URL;
  const answer = await prompts.input({
    message,
    default: fallback,
    validate: (value) => {
      try {
        checkUrl(value || fallback);
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  return answer || fallback;
}

async function askSecret(prompts: Prompts, target: Target): Promise<{ env: Record<string, string> }> {
  const known = target.secret;
  const secret = await prompts.password({
    message: known
      ? `Webhook secret (Enter keeps ${target.secretSource === "config secret" ? "the config file's" : `$${target.secretSource}`})`
      : "Webhook secret",
    mask: "*",
    validate: (value) => (value !== "" || known ? true : "the project's webhook secret is required"),
  });
  return { env: { XSOLLA_WEBHOOK_SECRET: secret || (known as string) } };
}

async function askType(prompts: Prompts, fixtures: readonly Fixture[], remembered: string | undefined): Promise<Fixture> {
  const ordered = [...fixtures].sort((a, b) => Number(b.id === remembered) - Number(a.id === remembered));
  const id = await prompts.search<string>({
    message: "Webhook type (type to filter)",
    source: (term) => {
      const q = (term ?? "").toLowerCase();
      // Best match first: the exact name, then names that start with it, contain it, then descriptions.
      const rank = (f: Fixture) =>
        f.id === q ? 0 : f.id.startsWith(q) ? 1 : f.id.includes(q) ? 2 : f.meta.description.toLowerCase().includes(q) ? 3 : 4;
      return ordered
        .filter((f) => rank(f) < 4)
        .sort((a, b) => rank(a) - rank(b))
        .map((f) => ({ value: f.id, name: f.id, description: f.meta.description }));
    },
  });
  return fixtures.find((f) => f.id === id) as Fixture;
}

async function askFields(prompts: Prompts, fixture: Fixture, previous: Invocation["fields"]): Promise<NonNullable<Invocation["fields"]>> {
  const fields = [];
  for (const field of keyFieldsOf(fixture.body)) {
    const current = previous?.find((f) => f.path === field.path)?.value ?? String(field.value);
    const value = await prompts.input({ message: field.path, default: current });
    fields.push({ path: field.path, value: value === "" ? current : value, original: field.value });
  }
  return fields;
}

/** `--set` for numbers and booleans typed as such, `--set-string` to keep a string a string. */
function fieldFlags(fields: NonNullable<Invocation["fields"]>): string[] {
  return fields
    .filter((f) => f.value !== String(f.original))
    .flatMap((f) => (typeof f.original === "string" ? ["--set-string", `${f.path}=${f.value}`] : ["--set", `${f.path}=${f.value}`]));
}

async function buildInvocation(
  action: Action,
  prompts: Prompts,
  io: Io,
  fixtures: readonly Fixture[],
  previous?: Invocation,
): Promise<Invocation> {
  const state = loadState(io.env);
  const { target } = await loadTarget(io, {});
  const secretFlag = ["--secret", "$XSOLLA_WEBHOOK_SECRET"];
  switch (action) {
    case "send":
    case "retry": {
      const fixture = previous?.type
        ? (fixtures.find((f) => f.id === previous.type) as Fixture)
        : await askType(prompts, fixtures, state.lastType);
      const fields = await askFields(prompts, fixture, previous?.fields);
      const url = previous?.url ?? (await askUrl(prompts, target, state.lastUrl));
      const { env } = previous ? { env: previous.env } : await askSecret(prompts, target);
      const argv = ["send", fixture.id, ...fieldFlags(fields), "--url", url, ...(action === "retry" ? ["--retry"] : [])];
      return { action, argv, env, shownExtra: secretFlag, type: fixture.id, fields, url };
    }
    case "test": {
      const url = await askUrl(prompts, target, state.lastUrl);
      const { env } = await askSecret(prompts, target);
      return { action, argv: ["test", "--url", url], env, shownExtra: secretFlag, url };
    }
    case "verify": {
      const file = await prompts.input({
        message: "Body file (the exact bytes the handler received)",
        validate: (v) => (v.trim() ? true : "a file path is required"),
      });
      const signature = await prompts.input({
        message: "Signature (hex, or the Authorization header value)",
        validate: (v) => (v.trim() ? true : "a signature is required"),
      });
      const { env } = await askSecret(prompts, target);
      return { action, argv: ["verify", file.trim(), "--signature", signature.trim()], env, shownExtra: secretFlag };
    }
    case "events": {
      const kind = await prompts.select<"jwt" | "token">({
        message: "Authenticate with",
        choices: [
          { value: "jwt", name: "a user JWT (Xsolla Login)" },
          { value: "token", name: "a payment token" },
        ],
      });
      const value = await prompts.password({
        message: kind === "jwt" ? "User JWT" : "Payment token",
        mask: "*",
        validate: (v) => (v ? true : "required"),
      });
      const baseUrl = await prompts.input({
        message: "Event API base URL",
        default: io.env.XSOLLA_EVENT_API_URL ?? "https://getupdate.xsolla.com",
      });
      const variable = kind === "jwt" ? "XSOLLA_JWT" : "XSOLLA_PAYMENT_TOKEN";
      return {
        action,
        argv: ["events", "poll", "--base-url", baseUrl],
        env: { [variable]: value },
        shownExtra: [kind === "jwt" ? "--jwt" : "--token", `$${variable}`],
      };
    }
    case "listen": {
      const port = await prompts.input({
        message: "Port",
        default: "3000",
        validate: (v) => (/^\d+$/.test(v) && Number(v) <= 65_535 ? true : "a port from 0 to 65535"),
      });
      const { env } = await askSecret(prompts, target);
      return { action, argv: ["listen", "--port", port], env, shownExtra: secretFlag };
    }
  }
}

export const command = defineCommand<Record<string, never>>({
  path: ["interactive"],
  declare: (command) => command.addHelpText("after", examples("xsolla-hooks interactive", "xsolla-hooks")),
  parse: () => ({}),
  run,
});

async function run(_options: Record<string, never>, io: Io): Promise<number> {
  if (!io.stdin.isTTY || !io.stdout.isTTY) {
    throw new UsageError("interactive mode needs a terminal", {
      code: ErrorCode.Usage,
      hint: "run a command with flags instead, e.g. xsolla-hooks send payment --url URL --secret S; see xsolla-hooks --help",
    });
  }
  const prompts = await import("@inquirer/prompts");
  const { runCli } = await import("../run.js");
  const fixtures = loadBuiltinFixtures();
  try {
    const action = await prompts.select<Action>({ message: "What do you want to do?", choices: ACTIONS, default: "send" });
    let invocation = await buildInvocation(action, prompts, io, fixtures);
    for (;;) {
      const code = await runCli(invocation.argv, { ...io, env: { ...io.env, ...invocation.env } });
      if (invocation.url || invocation.type)
        saveState(io.env, {
          ...loadState(io.env),
          ...(invocation.url ? { lastUrl: invocation.url } : {}),
          ...(invocation.type ? { lastType: invocation.type } : {}),
        });
      if (invocation.action === "listen" || io.signal.aborted) return code;
      let next: "again" | "edit" | "command" | "quit" | undefined;
      do {
        // Once the command line is shown the user is most likely done: Quit is then the default.
        const fallback: "again" | "quit" = next === "command" ? "quit" : "again";
        const repeatable = invocation.action === "send" || invocation.action === "retry";
        next = await prompts.select({
          message: "Next",
          choices: [
            { value: "again", name: repeatable ? "Send again (fresh ids)" : "Run again" },
            ...(repeatable ? [{ value: "edit" as const, name: "Edit fields and send" }] : []),
            { value: "command", name: "Show the equivalent command line" },
            { value: "quit", name: "Quit" },
          ],
          default: fallback,
        });
        if (next === "command") {
          io.stdout.write(`\n  ${formatCommandLine("xsolla-hooks", [...invocation.argv, ...invocation.shownExtra])}\n\n`);
        }
      } while (next === "command");
      if (next === "quit") return code;
      if (next === "edit") invocation = await buildInvocation(invocation.action, prompts, io, fixtures, { ...invocation });
    }
  } catch (error) {
    if (isPromptExit(error)) {
      io.stderr.write("\ncancelled\n");
      return ExitCode.Interrupted;
    }
    throw error;
  }
}
