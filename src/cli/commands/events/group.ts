// `events`: the group and the credential options its API commands share.
import type { Command } from "commander";
import { examples, str, type RawInput } from "../../command.js";
import type { EventAuthFlags } from "../../events-shared.js";

export function declareEventsGroup(command: Command): Command {
  return command.addHelpText(
    "after",
    examples(
      "xsolla-hooks events list --jwt $XSOLLA_JWT",
      "xsolla-hooks events poll --ack --json",
      "xsolla-hooks events serve --port 8787",
      "xsolla-hooks events enqueue order_paid --base-url http://127.0.0.1:8787",
    ),
  );
}

export function declareEventAuth(command: Command): Command {
  return command
    .option("--jwt <jwt>", "Xsolla Login user JWT, sent as Authorization: Bearer (env XSOLLA_JWT; other users see it in ps)")
    .option("--jwt-file <path>", "read the JWT from this file (trimmed; never printed)")
    .option("--token <token>", "payment token, sent as the token query parameter (env XSOLLA_PAYMENT_TOKEN)")
    .option(
      "--project-id <id>",
      "sent as project_id, as Xsolla's Unity SDK does; poll skips other projects' events (env XSOLLA_PROJECT_ID)",
    )
    .option("--base-url <url>", "Event API base URL (env XSOLLA_EVENT_API_URL; default https://getupdate.xsolla.com)");
}

export function parseEventAuth(opts: RawInput["opts"]): EventAuthFlags {
  return {
    jwt: str(opts.jwt),
    jwtFile: str(opts.jwtFile),
    token: str(opts.token),
    projectId: str(opts.projectId),
    baseUrl: str(opts.baseUrl),
  };
}
