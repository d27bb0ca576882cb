import { describe, expect, it } from "vitest";
import { createDeliveryTracker } from "../../src/core/delivery-tracker.js";

describe("delivery tracker", () => {
  it("counts repeats of an id and says the count is complete while nothing was forgotten", () => {
    const tracker = createDeliveryTracker(10);
    expect(tracker.count("a")).toEqual({ count: 1, complete: true });
    expect(tracker.count("b")).toEqual({ count: 1, complete: true });
    expect(tracker.count("a")).toEqual({ count: 2, complete: true });
    expect(tracker.size).toBe(2);
    expect(tracker.forgotten).toBe(0);
  });

  it("never holds more ids than allowed, forgets the least recently seen, and counts what it forgot", () => {
    const tracker = createDeliveryTracker(100);
    for (let i = 0; i < 10_000; i++) {
      tracker.count(`id-${i}`);
      expect(tracker.size).toBeLessThanOrEqual(100);
    }
    expect(tracker.size).toBeGreaterThanOrEqual(50);
    expect(tracker.forgotten).toBe(10_000 - tracker.size);
    // The newest half is always remembered, with its count.
    expect(tracker.count("id-9999")).toEqual({ count: 2, complete: true });
    // A forgotten id starts again at 1 and says the count may be short.
    expect(tracker.count("id-0")).toEqual({ count: 1, complete: false });
  });

  it("keeps an id that keeps arriving, however many others pass through", () => {
    const tracker = createDeliveryTracker(20);
    for (let i = 0; i < 1_000; i++) {
      tracker.count(`other-${i}`);
      if (i % 5 === 0) tracker.count("resent");
    }
    expect(tracker.count("resent")).toEqual({ count: 201, complete: true });
  });
});
