// CHAOS: 200 events through one `events poll --once --ack` run against a mock that answers 429s, 500s, resets,
// slow answers, duplicate and overlapping pages and lost ack answers (all seeded), printing only or forwarding to
// a handler that fails at random too. Checked from what the mock and the handler saw, not from the poller's own
// report: nothing lost, nothing acked before it was handled, every duplicate handling reported, other projects'
// events untouched, and one run. bench/events-chaos.mjs runs the same at 10× the size.
import { describe, expect, it } from "vitest";
import { runEventsChaos } from "../../src/runners/events-chaos.js";

describe("chaos", () => {
  it.each([
    { forward: false, seed: 20250115 },
    { forward: true, seed: 7 },
  ])(
    "forward=$forward, seed $seed: 0 lost, 0 acked before handled, every duplicate handling reported",
    async ({ forward, seed }) => {
      const report = await runEventsChaos({ events: 200, seed, forward });
      expect(report.lost).toEqual([]);
      expect(report.ackedBeforeHandled).toEqual([]);
      expect(report.unreported).toEqual([]);
      expect(report.otherProjectsTouched).toEqual([]);
      expect(report.oneRun).toBe(true);
      expect(report).toMatchObject({ events: 200, handled: 200, acked: 200, ok: true });
      expect(report.summary).toMatchObject({ unacked: [], unconfirmed: [], notForwarded: [], malformed: [], undelivered: [] });
      expect(report.summary.skipped).toHaveLength(10);

      // The faults really happened, so the checks above mean something.
      const { faults } = report.api;
      for (const kind of ["dropped", "failed", "ackFailed", "rateLimited", "slow", "ackLost", "overlapped", "duplicated"] as const) {
        expect(faults[kind], kind).toBeGreaterThan(0);
      }
      if (forward) {
        expect(report.handler.failed + report.handler.resetBefore).toBeGreaterThan(10);
        // Some events were processed by the handler twice (its answer was lost): each one is in the poller's report.
        expect(report.duplicateHandlings.length).toBeGreaterThan(5);
        expect(report.summary.duplicates).toEqual(expect.arrayContaining(report.duplicateHandlings));
      }
    },
    30_000,
  );
});
