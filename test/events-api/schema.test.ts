import { describe, expect, it } from "vitest";
import { formatIssuePath, parseEventsPage, parseEventsResponse } from "../../src/events-api/schema.js";

const event = (overrides: Record<string, unknown> = {}) => ({
  id: 1,
  status: 0,
  created_at: "2025-01-15T12:00:00Z",
  data: { notification_type: "payment" },
  ...overrides,
});

describe("parseEventsResponse", () => {
  it("accepts the shape the Unity SDK reads, keeping unknown keys", () => {
    const result = parseEventsResponse({
      events: [event({ extra: true, data: { notification_type: "order_paid", order: { id: 9 } } })],
      next: null,
    });
    expect(result).toEqual({ ok: true, events: [event({ extra: true, data: { notification_type: "order_paid", order: { id: 9 } } })] });
  });

  it("turns a numeric-string id into a number", () => {
    const result = parseEventsResponse({ events: [event({ id: "1234567" })] });
    expect(result.ok && result.events[0]?.id).toBe(1_234_567);
  });

  it("accepts data without notification_type, an empty list, and null as empty", () => {
    expect(parseEventsResponse({ events: [event({ data: {} })] }).ok).toBe(true);
    expect(parseEventsResponse({ events: [] })).toEqual({ ok: true, events: [] });
    expect(parseEventsResponse({ events: null })).toEqual({ ok: true, events: [] });
  });

  it.each([
    [{ events: [event(), event(), event({ id: 1.5 })] }, "events[2].id: expected an integer"],
    [{ events: [event({ id: -1 })] }, "events[0].id: expected an integer"],
    [{ events: [event({ id: "12a" })] }, "events[0].id: expected an integer"],
    [{ events: [event({ id: "99999999999999999" })] }, "events[0].id: expected an integer"],
    [{ events: [{ status: 0, created_at: "x", data: {} }] }, "events[0].id: missing (expected an integer)"],
    [{ events: [event({ status: "0" })] }, "events[0].status: expected a number"],
    [{ events: [event({ created_at: 1 })] }, "events[0].created_at: expected a string"],
    [{ events: [event({ data: [] })] }, "events[0].data: expected an object"],
    [{ events: [event({ data: "{}" })] }, "events[0].data: expected an object"],
    [{ events: [event({ data: { notification_type: 5 } })] }, "events[0].data.notification_type: expected a string"],
    [{ events: [42] }, "events[0]: expected an object"],
    [{ events: {} }, "events: expected an array"],
    [{}, "events: missing (expected an array)"],
    [[], "(response): expected an object"],
    ["text", "(response): expected an object"],
    [null, "(response): expected an object"],
  ])("reports the path of each problem: %j", (input, problem) => {
    const result = parseEventsResponse(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContain(problem);
  });

  it("lists one problem per bad field", () => {
    const result = parseEventsResponse({ events: [event(), { id: "x", status: "0", created_at: "", data: {} }] });
    expect(result).toEqual({ ok: false, problems: ["events[1].id: expected an integer", "events[1].status: expected a number"] });
  });
});

describe("status and created_at are optional, defaulted as Xsolla's Unity SDK reads them", () => {
  it.each([
    [
      { id: 7, data: {} },
      { status: 0, created_at: null },
    ],
    [
      { id: 7, status: null, created_at: null, data: {} },
      { status: 0, created_at: null },
    ],
    [
      { id: 7, status: 3, data: {} },
      { status: 3, created_at: null },
    ],
    [
      { id: 7, created_at: "2025-01-15", data: {} },
      { status: 0, created_at: "2025-01-15" },
    ],
  ])("%j", (raw, expected) => {
    const result = parseEventsResponse({ events: [raw] });
    expect(result).toEqual({ ok: true, events: [{ id: 7, data: {}, ...expected }] });
  });
});

describe("parseEventsPage: each event on its own", () => {
  it("keeps the good events and sets the bad ones aside, with their id when readable", () => {
    const result = parseEventsPage({
      events: [event({ id: 1 }), event({ id: 2, data: "oops" }), { status: 0, data: {} }, event({ id: "4" }), 42, event({ id: "x" })],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.events.map((e) => e.id)).toEqual([1, 4]);
    expect(result.rejected.map((r) => [r.index, r.id, r.problems])).toEqual([
      [1, 2, ["events[1].data: expected an object"]],
      [2, undefined, ["events[2].id: missing (expected an integer)"]],
      [4, undefined, ["events[4]: expected an object"]],
      [5, undefined, ["events[5].id: expected an integer"]],
    ]);
    expect(result.rejected[0]?.raw).toEqual(event({ id: 2, data: "oops" }));
  });

  it("still fails a page whose own shape is wrong", () => {
    expect(parseEventsPage({ events: {} })).toEqual({ ok: false, problems: ["events: expected an array"] });
    expect(parseEventsPage(null)).toEqual({ ok: false, problems: ["(response): expected an object"] });
    expect(parseEventsPage({ events: null })).toEqual({ ok: true, events: [], rejected: [] });
  });
});

describe("formatIssuePath", () => {
  it.each([
    [[], "(response)"],
    [["events", 0, "data", "notification_type"], "events[0].data.notification_type"],
    [["events", 1, "data", "odd key"], 'events[1].data["odd key"]'],
  ])("%j → %s", (path, text) => {
    expect(formatIssuePath(path)).toBe(text);
  });
});
