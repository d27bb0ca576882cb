// What Xsolla does not document about the Event API, and what this package assumes instead.
// Source of the facts: docs/xsolla-contract.md §5 "Event API", and Xsolla's reference at
// https://developers.xsolla.com/api/event/events (it shows only the start of its OpenAPI file; the
// shape comes from xsolla/xsolla-sdk-unity's GetUpdates code).
// Help text and docs should print these next to anything that depends on them.

export interface UndocumentedBehaviour {
  topic: string;
  /** What Xsolla says (or that it says nothing). */
  xsolla: string;
  /** What the client, the poller and the mock server do. */
  ourModel: string;
}

export const UNDOCUMENTED = [
  {
    topic: "status",
    xsolla: "Each event has an integer `status`; its meaning is not documented. Xsolla's Unity SDK reads a missing one as 0.",
    ourModel:
      "The client passes it through untouched, and reads a missing or null one as 0, as the SDK does. The mock sends 0 for every unprocessed event (0 = new is our guess).",
  },
  {
    topic: "created_at",
    xsolla: "A string; the format is not documented. Xsolla's Unity SDK reads a missing one as null.",
    ourModel:
      "The client accepts any string, and a missing one as null, as the SDK does. The mock sends ISO 8601 UTC (`2025-01-02T03:04:05.000Z`).",
  },
  {
    topic: "page size",
    xsolla: "Not documented; neither is whether `after_id` is the only pagination. The Unity SDK lists from the start every time.",
    ourModel:
      "The poller works in sweeps: each starts from the start (or --after-id) and follows `after_id` page by page to an empty page, so any page size drains and an event that shows up late below ids already seen is still found. After a sweep with news the next starts at once, else after the interval. The mock pages by 50 (configurable).",
  },
  {
    topic: "types encoding",
    xsolla: "`types` is an array of strings in the query; the encoding is not documented (the doc sample shows `types=string`).",
    ourModel:
      "The client repeats the parameter: `types=payment&types=order_paid`. The mock also accepts `types[]=` and comma-separated values.",
  },
  {
    topic: "error bodies",
    xsolla:
      'The format of error responses is not documented. The Unity SDK recognises `{"error":{"code","description"}}` (Xsolla Login\'s shape) and `{statusCode,errorCode,errorMessage}`.',
    ourModel:
      'The client classifies by HTTP status only and quotes at most 200 characters of the body. The mock answers `{"error":{"code":…,"message":…}}`, the webhook error shape, or with `--error-body login` the Login shape the SDK parses.',
  },
  {
    topic: "rate limits",
    xsolla: "Not documented (the Unity SDK polls every 3 s).",
    ourModel:
      "429 is honoured with Retry-After (seconds or HTTP date), else exponential backoff. The poller's default interval is the SDK's 3 s.",
  },
  {
    topic: "processed",
    xsolla: "`POST /events/{id}/processed` has no documented body or success status; the SDK treats any 2xx as success and maps only 401.",
    ourModel: "Any 2xx is success, 404 is 'no such event'. The mock answers 204, and 204 again for an event already processed.",
  },
  {
    topic: "project_id",
    xsolla:
      "Not in the reference; the Unity SDK adds `project_id=<id>` to both calls, and skips (without marking processed) events whose `settings.project_id` or `billing.settings.project_id` is another project's, or that name none.",
    ourModel:
      "Sent when configured. With it, the poller also skips, counts and leaves unprocessed the events that name another project; an event that names no project is handled (we cannot tell whose it is). The mock ignores it.",
  },
] as const satisfies readonly UndocumentedBehaviour[];
