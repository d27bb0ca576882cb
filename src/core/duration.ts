// Durations as people write them: 500ms, 30s, 5m, 1h30m; schedules as lists with repeats: 2x5m,7x15m.
import { UsageError } from "./errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `bareUnit`: what a number without a unit means (minutes in a retry schedule, like Xsolla's docs). */
export function parseDuration(text: string, flag: string, bareUnit: "ms" | "s" | "m" = "m"): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * (UNIT_MS[bareUnit] as number);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) {
    throw new UsageError(`invalid ${flag} "${text}": use durations like 500ms, 30s, 5m, 1h30m`);
  }
  return Math.round(parts.reduce((sum, [, value, unit]) => sum + Number(value) * (UNIT_MS[unit as string] as number), 0));
}

const MAX_SCHEDULE_DELAY_MS = 365 * 24 * 3_600_000;

/** `5m,5m,15m` or `2x5m,7x15m,10x1h` → delays in ms. `flag` names the option in messages. */
export function parseSchedule(text: string, flag = "--schedule"): number[] {
  const delays: number[] = [];
  for (const item of text.split(",").map((s) => s.trim())) {
    if (item === "") throw new UsageError(`invalid ${flag} "${text}": empty entry`);
    const repeat = /^(\d+)x(.+)$/.exec(item);
    const count = repeat ? Number(repeat[1]) : 1;
    if (count < 1 || count > 1000) throw new UsageError(`invalid ${flag} "${text}": "${item}" repeats ${count} times (1 to 1000)`);
    const delay = parseDuration(repeat ? (repeat[2] as string) : item, flag);
    // Long waits are fine (they are waited in slices); past a year the timeline's dates stop meaning anything.
    if (delay > MAX_SCHEDULE_DELAY_MS) throw new UsageError(`invalid ${flag} "${text}": "${item}" is longer than 365 days`);
    for (let i = 0; i < count; i++) delays.push(delay);
  }
  if (delays.length > 1000) throw new UsageError(`invalid ${flag} "${text}": at most 1000 resends`);
  return delays;
}

/** 715 minutes → "11h55m"; 0 → "0s". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds === 0) return ms > 0 ? `${Math.round(ms)}ms` : "0s";
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}
