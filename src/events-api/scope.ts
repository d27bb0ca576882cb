// Which project an event belongs to. Webhook bodies name it in `settings.project_id`; combined order webhooks also
// (or only) in `billing.settings.project_id` (docs/xsolla-contract.md §2, §5). Samples send it as a number or a
// string, so it is compared as text. Xsolla's Unity SDK skips, without marking processed, an event that names
// another project (§5); the poller does the same with --project-id.
import type { XsollaEvent } from "./schema.js";

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

function projectIdAt(node: unknown): string | undefined {
  if (!isObj(node) || !isObj(node["settings"])) return undefined;
  const value = node["settings"]["project_id"];
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}

/** The project ids an event names (`settings.project_id`, `billing.settings.project_id`), each once. */
export function eventProjectIds(event: Pick<XsollaEvent, "data">): string[] {
  const ids = [projectIdAt(event.data), projectIdAt(event.data["billing"])].filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/**
 * The project ids of `event` that are not `projectId`: non-empty means the event belongs to another project.
 * An event that names no project is not another project's (we cannot tell, so it is handled; Xsolla's SDK skips it).
 */
export function otherProjectIds(event: Pick<XsollaEvent, "data">, projectId: string | number): string[] {
  const ours = String(projectId).trim();
  return eventProjectIds(event).filter((id) => id !== ours);
}
