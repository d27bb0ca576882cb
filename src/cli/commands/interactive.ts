// The wizard: pick an action and a webhook, change a few fields, fire it, then repeat or get the
// equivalent command line. It only ever builds argv for the ordinary commands and runs them, so
// what is done by hand is exactly what a script would do.
//
// Where a prompt's pre-filled answer comes from, first match wins: an answer given earlier in this
// session (when editing), then the one resolver (flags > environment > config file), then the value
// remembered from the last session ("last used"), then the built-in default.
import { basename } from "node:path";
import { ErrorCode, ExitCode, UsageError } from "../../core/errors.js";
import { formatCommandLine } from "../../core/command-line.js";
import { keyFieldsOf, type KeyField } from "../../core/fixtures/key-fields.js";
import type { Fixture } from "../../core/fixtures/types.js";
import { checkUrl, DEFAULT_HANDLER_URL, redactUrls, type Target } from "../../core/settings.js";
import { loadBuiltinFixtures } from "../../adapters/fixtures-fs.js";
import { forgetState, loadState, saveState, type InteractiveState } from "../../adapters/state-file.js";
import { withoutPassword } from "../../core/settings.js";
import { bool, defineCommand, examples } from "../command.js";
import type { Io } from "../../adapters/io.js";
import { loadTarget } from "../../adapters/config-file.js";

type Prompts = typeof import("@inquirer/prompts");
type Action = "send" | "retry" | "test" | "verify" | "events" | "listen";

export interface InteractiveOptions {
  /** Delete the remembered URL and webhook type, then exit. */
  forget: boolean;
}

const ACTIONS: { value: Action; name: string; description: string }[] = [
  { value: "send", name: "Send a webhook", description: "sign a fixture and POST it to your handler" },
  { value: "retry", name: "Send with retry replay", description: "replay Xsolla's resend schedule on a virtual clock" },
  { value: "test", name: "Run the contract suite", description: "check a handler against Xsolla's webhook contract" },
  { value: "verify", name: "Verify a signature", description: "explain why a signature does or does not match" },
  { value: "events", name: "Poll the Event API", description: "print events for a user JWT or payment token" },
  { value: "listen", name: "Start the receiver", description: "a reference handler that logs what it gets" },
];

const EVENT_API_DEFAULT_URL = "https://getupdate.xsolla.com";

interface FieldAnswer {
  path: string;
  value: string;
  original: KeyField["value"];
}

/** Everything the user answered; the defaults of the next round when they edit. */
interface Answers {
  type?: string;
  fields?: FieldAnswer[];
  url?: string;
  secret?: string;
  file?: string;
  signature?: string;
  eventAuth?: "jwt" | "token";
  credential?: string;
  baseUrl?: string;
  port?: string;
}

interface Invocation {
  action: Action;
  answers: Answers;
  argv: string[];
  /** Values that go through the environment, never on the command line (undefined unsets one). */
  env: Record<string, string | undefined>;
  /** The secret-bearing flag the printed command line should show, e.g. --secret "$XSOLLA_WEBHOOK_SECRET". */
  shownExtra: string[];
}

/** What the prompts need besides the answers: the resolver's target and the remembered state, read afresh each round. */
interface Context {
  prompts: Prompts;
  io: Io;
  fixtures: readonly Fixture[];
  target: Target;
  configPath: string | undefined;
  state: InteractiveState;
  /** Passed to every prompt: Esc aborts it. */
  signal: AbortSignal;
}

const isPromptExit = (error: unknown) => error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError");

/** A pre-filled answer and where it came from, for the prompt's message. */
interface Prefill {
  value: string;
  from: string;
}

/** The pre-filled URL: this session's answer, then the one resolver (flags > environment > config file), then the remembered one, then the default. */
function prefillUrl(
  previous: string | undefined,
  target: Pick<Target, "url" | "urlSource">,
  configPath: string | undefined,
  remembered: string | undefined,
): Prefill {
  if (previous !== undefined) return { value: previous, from: "current" };
  if (target.url !== undefined)
    return {
      value: target.url,
      from: target.urlSource === "config url" ? `from ${basename(configPath ?? "the config file")}` : `from ${target.urlSource}`,
    };
  if (remembered !== undefined) return { value: remembered, from: "last used" };
  return { value: DEFAULT_HANDLER_URL, from: "default" };
}

async function askUrl(ctx: Context, previous: string | undefined): Promise<string> {
  const fill = prefillUrl(previous, ctx.target, ctx.configPath, ctx.state.lastUrl);
  const answer = await ctx.prompts.input(
    {
      message: `Handler URL (${fill.from})`,
      default: fill.value,
      validate: (value) => {
        try {
          checkUrl(value.trim() || fill.value);
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      },
    },
    { signal: ctx.signal },
  );
  return answer.trim() || fill.value;
}

/** A masked prompt; Enter keeps this session's secret, else the resolver's (environment or config file). */
async function askSecret(ctx: Context, previous: string | undefined): Promise<string> {
  const { target } = ctx;
  const known = previous ?? target.secret;
  const keeps =
    previous !== undefined
      ? "the current one"
      : target.secretSource === "config secret"
        ? `the one in ${basename(ctx.configPath ?? "the config file")}`
        : `$${target.secretSource}`;
  const secret = await ctx.prompts.password(
    {
      message: known ? `Webhook secret (Enter keeps ${keeps})` : "Webhook secret",
      mask: "*",
      validate: (value) => (value !== "" || known ? true : "the project's webhook secret is required"),
    },
    { signal: ctx.signal },
  );
  return secret || (known as string);
}

async function askType(ctx: Context, previous: string | undefined): Promise<Fixture> {
  // This session's type first, else the remembered one: Enter picks it.
  const first = previous ?? ctx.state.lastType;
  const mark = previous !== undefined ? "current" : "last used";
  const ordered = [...ctx.fixtures].sort((a, b) => Number(b.id === first) - Number(a.id === first));
  const id = await ctx.prompts.search<string>(
    {
      message: "Webhook type (type to filter)",
      source: (term) => {
        const q = (term ?? "").toLowerCase();
        // Best match first: the exact name, then names that start with it, contain it, then descriptions.
        const rank = (f: Fixture) =>
          f.id === q ? 0 : f.id.startsWith(q) ? 1 : f.id.includes(q) ? 2 : f.meta.description.toLowerCase().includes(q) ? 3 : 4;
        return ordered
          .filter((f) => rank(f) < 4)
          .sort((a, b) => rank(a) - rank(b))
          .map((f) => ({
            value: f.id,
            name: f.id === first ? `${f.id} (${mark})` : f.id,
            short: f.id,
            description: f.meta.description,
          }));
      },
    },
    { signal: ctx.signal },
  );
  return ctx.fixtures.find((f) => f.id === id) as Fixture;
}

async function askFields(ctx: Context, fixture: Fixture, previous: Answers): Promise<FieldAnswer[]> {
  // The values given before apply only to the same type; another type starts from its fixture.
  const before = previous.type === fixture.id ? previous.fields : undefined;
  const fields = [];
  for (const field of keyFieldsOf(fixture.body)) {
    const current = before?.find((f) => f.path === field.path)?.value ?? String(field.value);
    const value = await ctx.prompts.input({ message: field.path, default: current }, { signal: ctx.signal });
    fields.push({ path: field.path, value: value === "" ? current : value, original: field.value });
  }
  return fields;
}

/** `--set` for numbers and booleans typed as such, `--set-string` to keep a string a string. */
function fieldFlags(fields: readonly FieldAnswer[]): string[] {
  return fields
    .filter((f) => f.value !== String(f.original))
    .flatMap((f) => (typeof f.original === "string" ? ["--set-string", `${f.path}=${f.value}`] : ["--set", `${f.path}=${f.value}`]));
}

/** The resolver's answer and the remembered state, read again before every round of questions. */
async function context(base: Pick<Context, "prompts" | "io" | "fixtures" | "signal">): Promise<Context> {
  const { target, configPath } = await loadTarget(base.io, {});
  return { ...base, target, configPath, state: loadState(base.io.env) };
}

/**
 * Asks what `action` needs, each prompt pre-filled with `previous` where given. `scope: "target"`
 * asks only where to send and how to sign, keeping everything else.
 */
async function ask(ctx: Context, action: Action, previous: Answers = {}, scope: "all" | "target" = "all"): Promise<Answers> {
  switch (action) {
    case "send":
    case "retry": {
      const keep = scope === "target" && previous.type !== undefined;
      const type = keep ? (previous.type as string) : (await askType(ctx, previous.type)).id;
      const fixture = ctx.fixtures.find((f) => f.id === type) as Fixture;
      const fields = keep ? (previous.fields ?? []) : await askFields(ctx, fixture, previous);
      const url = await askUrl(ctx, previous.url);
      const secret = await askSecret(ctx, previous.secret);
      return { type, fields, url, secret };
    }
    case "test":
      return { url: await askUrl(ctx, previous.url), secret: await askSecret(ctx, previous.secret) };
    case "verify": {
      const file = await ctx.prompts.input(
        {
          message: "Body file (the exact bytes the handler received)",
          ...(previous.file !== undefined ? { default: previous.file } : {}),
          validate: (v) => (v.trim() ? true : "a file path is required"),
        },
        { signal: ctx.signal },
      );
      const signature = await ctx.prompts.input(
        {
          message: "Signature (hex, or the Authorization header value)",
          ...(previous.signature !== undefined ? { default: previous.signature } : {}),
          validate: (v) => (v.trim() ? true : "a signature is required"),
        },
        { signal: ctx.signal },
      );
      return { file: file.trim(), signature: signature.trim(), secret: await askSecret(ctx, previous.secret) };
    }
    case "events": {
      const env = ctx.io.env;
      const eventAuth = await ctx.prompts.select<"jwt" | "token">(
        {
          message: "Authenticate with",
          choices: [
            { value: "jwt", name: "a user JWT (Xsolla Login)" },
            { value: "token", name: "a payment token" },
          ],
          default: previous.eventAuth ?? (!env.XSOLLA_JWT && env.XSOLLA_PAYMENT_TOKEN ? "token" : "jwt"),
        },
        { signal: ctx.signal },
      );
      const variable = eventAuth === "jwt" ? "XSOLLA_JWT" : "XSOLLA_PAYMENT_TOKEN";
      const sameKind = previous.eventAuth === eventAuth;
      const known = (sameKind ? previous.credential : undefined) ?? (env[variable] || undefined);
      const keeps = sameKind && previous.credential !== undefined ? "the current one" : `$${variable}`;
      const label = eventAuth === "jwt" ? "User JWT" : "Payment token";
      const credential = await ctx.prompts.password(
        {
          message: known ? `${label} (Enter keeps ${keeps})` : label,
          mask: "*",
          validate: (v) => (v || known ? true : "required"),
        },
        { signal: ctx.signal },
      );
      const fill: Prefill =
        previous.baseUrl !== undefined
          ? { value: previous.baseUrl, from: "current" }
          : env.XSOLLA_EVENT_API_URL
            ? { value: env.XSOLLA_EVENT_API_URL, from: "from XSOLLA_EVENT_API_URL" }
            : { value: EVENT_API_DEFAULT_URL, from: "default" };
      const baseUrl = await ctx.prompts.input(
        {
          message: `Event API base URL (${fill.from})`,
          default: fill.value,
          validate: (value) => {
            try {
              checkUrl(value.trim() || fill.value, "--base-url", "XSOLLA_EVENT_API_URL");
              return true;
            } catch (error) {
              return (error as Error).message;
            }
          },
        },
        { signal: ctx.signal },
      );
      return { eventAuth, credential: credential || (known as string), baseUrl: baseUrl.trim() || fill.value };
    }
    case "listen": {
      const port = await ctx.prompts.input(
        {
          message: "Port",
          default: previous.port ?? "3000",
          validate: (v) => (/^\d+$/.test(v.trim()) && Number(v) <= 65_535 ? true : "a port from 0 to 65535"),
        },
        { signal: ctx.signal },
      );
      return { port: port.trim(), secret: await askSecret(ctx, previous.secret) };
    }
  }
}

/** Answers → the ordinary command that does it. Secrets and credentials travel in the environment only. */
function invocationOf(action: Action, answers: Answers): Invocation {
  const secretEnv = { XSOLLA_WEBHOOK_SECRET: answers.secret };
  const secretFlag = ["--secret", "$XSOLLA_WEBHOOK_SECRET"];
  const base = { action, answers, env: secretEnv, shownExtra: secretFlag };
  switch (action) {
    case "send":
    case "retry":
      return {
        ...base,
        argv: [
          "send",
          answers.type as string,
          ...fieldFlags(answers.fields ?? []),
          "--url",
          answers.url as string,
          ...(action === "retry" ? ["--retry"] : []),
        ],
      };
    case "test":
      return { ...base, argv: ["test", "--url", answers.url as string] };
    case "verify":
      return { ...base, argv: ["verify", answers.file as string, "--signature", answers.signature as string] };
    case "listen":
      return { ...base, argv: ["listen", "--port", answers.port as string] };
    case "events": {
      const jwt = answers.eventAuth === "jwt";
      return {
        action,
        answers,
        argv: ["events", "poll", "--base-url", answers.baseUrl as string],
        // The chosen kind only: a JWT left in the environment must not win over a payment token picked here.
        env: jwt
          ? { XSOLLA_JWT: answers.credential, XSOLLA_PAYMENT_TOKEN: undefined }
          : { XSOLLA_PAYMENT_TOKEN: answers.credential, XSOLLA_JWT: undefined },
        shownExtra: jwt ? ["--jwt", "$XSOLLA_JWT"] : ["--token", "$XSOLLA_PAYMENT_TOKEN"],
      };
    }
  }
}

type Next = "again" | "target" | "edit" | "command" | "quit";

function nextChoices(action: Action): { value: Next; name: string }[] {
  const sends = action === "send" || action === "retry";
  return [
    { value: "again", name: sends ? "Send again (fresh ids)" : "Run again" },
    ...(sends || action === "test"
      ? [{ value: "target" as const, name: sends ? "Send again to another handler (URL and secret)" : "Run again against another handler" }]
      : []),
    ...(sends ? [{ value: "edit" as const, name: "Edit fields and send (type, fields, URL, secret)" }] : []),
    ...(action === "verify" || action === "events" ? [{ value: "edit" as const, name: "Change answers and run again" }] : []),
    { value: "command", name: "Show the equivalent command line" },
    { value: "quit", name: "Quit" },
  ];
}

export const command = defineCommand<InteractiveOptions>({
  path: ["interactive"],
  declare: (command) =>
    command
      .option("--forget", "forget the remembered URL and webhook type (delete the state file) and exit")
      .addHelpText(
        "after",
        examples("xsolla-hooks interactive", "xsolla-hooks", "xsolla-hooks interactive --forget") +
          "\nPre-filled answers: flags > environment (XSOLLA_WEBHOOK_URL, XSOLLA_WEBHOOK_SECRET) > config file > last used > default\n" +
          `(${DEFAULT_HANDLER_URL}). The last URL and type are remembered in $XDG_CONFIG_HOME/xsolla-hooks/state.json\n` +
          "(default ~/.config/xsolla-hooks/state.json); secrets never are.\n",
      ),
  parse: ({ opts }) => ({ forget: bool(opts.forget) }),
  run,
});

async function run(options: InteractiveOptions, io: Io): Promise<number> {
  if (options.forget) {
    const { path, existed } = forgetState(io.env);
    io.stdout.write(existed ? `forgot the last URL and webhook type (deleted ${path})\n` : `nothing remembered (no ${path})\n`);
    return ExitCode.Ok;
  }
  if (!io.stdin.isTTY || !io.stdout.isTTY) {
    throw new UsageError("interactive mode needs a terminal", {
      code: ErrorCode.Usage,
      hint: "run a command with flags instead, e.g. xsolla-hooks send payment --url URL --secret S; see xsolla-hooks --help",
    });
  }
  const prompts = await import("@inquirer/prompts");
  const { runCli } = await import("../run.js");
  const fixtures = loadBuiltinFixtures();
  // Esc at a prompt cancels, as Ctrl-C does. The prompts' readline emits the keypress events.
  const escape = new AbortController();
  const onKeypress = (_text: unknown, key: { name?: string } | undefined) => {
    if (key?.name === "escape") escape.abort();
  };
  io.stdin.on("keypress", onKeypress);
  const base = { prompts, io, fixtures, signal: escape.signal };
  try {
    const action = await prompts.select<Action>(
      { message: "What do you want to do?", choices: ACTIONS, default: "send" },
      { signal: escape.signal },
    );
    let invocation = invocationOf(action, await ask(await context(base), action));
    for (;;) {
      const code = await runCli(invocation.argv, { ...io, env: { ...io.env, ...invocation.env } });
      const { url, type } = invocation.answers;
      if (url !== undefined || type !== undefined)
        saveState(io.env, {
          ...loadState(io.env),
          // The state file is plain text: a password in the URL is not kept (the prompt asks for it again).
          ...(url !== undefined ? { lastUrl: withoutPassword(url) } : {}),
          ...(type !== undefined ? { lastType: type } : {}),
        });
      if (invocation.action === "listen" || io.signal.aborted) return code;
      let next: Next | undefined;
      do {
        // Once the command line is shown the user is most likely done: Quit is then the default.
        const fallback: Next = next === "command" ? "quit" : "again";
        next = await prompts.select<Next>(
          { message: "Next", choices: nextChoices(invocation.action), default: fallback },
          { signal: escape.signal },
        );
        if (next === "command") {
          io.stdout.write(`\n  ${redactUrls(formatCommandLine("xsolla-hooks", [...invocation.argv, ...invocation.shownExtra]))}\n\n`);
        }
      } while (next === "command");
      if (next === "quit") return code;
      if (next === "edit" || next === "target") {
        const answers = await ask(await context(base), invocation.action, invocation.answers, next === "target" ? "target" : "all");
        invocation = invocationOf(invocation.action, answers);
      }
    }
  } catch (error) {
    if (isPromptExit(error)) {
      io.stderr.write("\ncancelled\n");
      return ExitCode.Interrupted;
    }
    throw error;
  } finally {
    io.stdin.off("keypress", onKeypress);
  }
}
