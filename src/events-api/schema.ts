// The Event API's response shape, checked leniently: Xsolla publishes only part of its schema
// (docs/xsolla-contract.md §5), so unknown keys are kept, `id` may come as a numeric string, and a problem is
// reported with its path (`events[2].id: expected an integer`) rather than as a stack of zod text.
import { z } from "zod";

const isSafeNonNegativeInteger = (value: unknown): boolean =>
  (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) ||
  (typeof value === "string" && /^\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value)));

const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `missing (expected ${what})` : `expected ${what}`;

/** An event id: a non-negative safe integer, or a string of digits holding one ("123" → 123). */
export const EventIdSchema = z
  .custom<number | string>(isSafeNonNegativeInteger, { error: expected("an integer") })
  .transform((value) => (typeof value === "string" ? Number(value) : value));

/** The webhook body carried by an event. Only `notification_type` is looked at, and it is optional. */
export const EventDataSchema = z.looseObject(
  { notification_type: z.string({ error: expected("a string") }).optional() },
  { error: expected("an object") },
);

export const EventSchema = z.looseObject(
  {
    id: EventIdSchema,
    // Neither is documented by Xsolla (see UNDOCUMENTED), and Xsolla's Unity SDK reads the page into a typed class
    // whose missing int is 0 and missing string null (docs/xsolla-contract.md §5): default them the same way, so an
    // event without them is still handled. `null` is read as missing.
    status: z
      .number({ error: expected("a number") })
      .nullish()
      .transform((value) => value ?? 0),
    created_at: z
      .string({ error: expected("a string") })
      .nullish()
      .transform((value) => value ?? null),
    data: EventDataSchema,
  },
  { error: expected("an object") },
);

export const EventsResponseSchema = z.looseObject(
  {
    // `null` is read as an empty list: some APIs send it for "nothing", and Xsolla does not say.
    events: z.preprocess((value) => (value === null ? [] : value), z.array(EventSchema, { error: expected("an array") })),
  },
  { error: expected("an object") },
);

/** The page itself, each event still unchecked: a bad event must not hide the good ones around it. */
const PageSchema = z.looseObject(
  { events: z.preprocess((value) => (value === null ? [] : value), z.array(z.unknown(), { error: expected("an array") })) },
  { error: expected("an object") },
);

export type XsollaEventData = z.output<typeof EventDataSchema>;
export type XsollaEvent = z.output<typeof EventSchema>;
export type EventsResponse = z.output<typeof EventsResponseSchema>;

/** `events[2].data.notification_type`; the root is `(response)`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(response)" : out;
}

export type ParseEventsResult = { ok: true; events: XsollaEvent[] } | { ok: false; problems: string[] };

/** Checks a parsed JSON document against the response shape. One problem per line, each naming its path. */
export function parseEventsResponse(json: unknown): ParseEventsResult {
  const result = EventsResponseSchema.safeParse(json);
  if (result.success) return { ok: true, events: result.data.events };
  const problems = result.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  return { ok: false, problems: [...new Set(problems)] };
}

/** An entry of a page that is not a usable event: what is wrong with it, and its id when that much could be read. */
export interface RejectedEvent {
  /** Its place in the page. */
  index: number;
  /** The id, when the entry has a readable one (so it can be named, and tracked, though it is not handled). */
  id: number | undefined;
  /** One per bad field, each naming its path (`events[3].data: expected an object`). */
  problems: string[];
  /** The entry as it came. */
  raw: unknown;
}

/** A page checked event by event: the usable events, and the entries that are not. */
export type ParseEventsPageResult = { ok: true; events: XsollaEvent[]; rejected: RejectedEvent[] } | { ok: false; problems: string[] };

/**
 * Checks a page leniently: only the page's own shape (`{"events":[…]}`) can fail it as a whole; each entry is
 * checked on its own, so one malformed event is set aside (with its problems) while the rest are used.
 */
export function parseEventsPage(json: unknown): ParseEventsPageResult {
  const page = PageSchema.safeParse(json);
  if (!page.success) {
    const problems = page.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    return { ok: false, problems: [...new Set(problems)] };
  }
  const events: XsollaEvent[] = [];
  const rejected: RejectedEvent[] = [];
  page.data.events.forEach((raw, index) => {
    const result = EventSchema.safeParse(raw);
    if (result.success) {
      events.push(result.data);
      return;
    }
    const id = EventIdSchema.safeParse(typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined);
    const problems = result.error.issues.map((issue) => `${formatIssuePath(["events", index, ...issue.path])}: ${issue.message}`);
    rejected.push({ index, id: id.success ? id.data : undefined, problems: [...new Set(problems)], raw });
  });
  return { ok: true, events, rejected };
}
