// A virtual clock: sleeping advances time at once, so a 12-hour retry schedule runs in a moment
// while every offset on the timeline stays exact.
import type { Clock } from "./types.js";

export interface VirtualClock extends Clock {
  /** Every sleep requested, in order. */
  readonly sleeps: number[];
}

export function createVirtualClock(startMs: number): VirtualClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}
