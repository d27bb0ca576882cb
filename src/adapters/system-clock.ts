// Real time, optionally sped up (`--speed N` waits 1/N of each interval while the timeline shows
// the full interval).
import { setTimeout as wait } from "node:timers/promises";
import type { Clock } from "../core/delivery/types.js";

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
      await wait(ms / speed, undefined, signal ? { signal } : undefined);
      virtualNow = before + ms;
      realAtVirtual = Date.now();
    },
  };
}
