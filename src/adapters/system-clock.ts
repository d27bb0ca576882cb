// Real time, optionally sped up (`--speed N` waits 1/N of each interval while the timeline shows
// the full interval).
import { setTimeout as wait } from "node:timers/promises";
import type { Clock } from "../core/delivery/types.js";

/** Node fires a longer timer at once (with a TimeoutOverflowWarning): 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` in slices a timer can hold, so a 30-day --realtime interval is 30 days. */
export async function waitInSlices(ms: number, signal?: AbortSignal): Promise<void> {
  let left = ms;
  do {
    const slice = Math.min(left, MAX_TIMER_MS);
    await wait(slice, undefined, signal ? { signal } : undefined);
    left -= slice;
  } while (left > 0);
}

export function createSystemClock(speed = 1): Clock {
  const startReal = Date.now();
  let virtualNow = startReal;
  let realAtVirtual = startReal;
  return {
    now() {
      // Between sleeps time passes at the real pace; each sleep counts in full.
      return virtualNow + (Date.now() - realAtVirtual);
    },
    async sleep(ms, signal) {
      const before = this.now();
      await waitInSlices(ms / speed, signal);
      virtualNow = before + ms;
      realAtVirtual = Date.now();
    },
  };
}
