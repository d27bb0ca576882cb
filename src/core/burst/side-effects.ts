// What a --same-ids burst did to the handler's state, from the state probe's readings. N identical
// deliveries must change the state exactly as much as one delivery does. One delivery of another
// transaction, alone, before the burst measures "one delivery" (for a probe that prints a number).

export type SideEffects =
  { observed: false; message: string } | { observed: true; ok: boolean; judged: boolean; readings: string[]; message: string };

export const UNOBSERVED =
  "side effects were not observed (no --state-probe): a handler that credits a duplicate twice still answers 2xx; add --state-probe to see it";

function asNumber(reading: string | undefined): number | undefined {
  if (reading === undefined) return undefined;
  const n = Number(reading.trim());
  return reading.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

/**
 * `readings`: before the calibration delivery, after it, after the burst (three), or before and after the burst (two,
 * when no calibration could be made). `count`: identical deliveries in the burst.
 */
export function judgeSideEffects(readings: string[], count: number, probeError?: string): SideEffects {
  if (probeError !== undefined)
    return { observed: true, ok: false, judged: false, readings, message: `the state probe failed: ${probeError}` };
  const shown = readings.map((r) => JSON.stringify(r)).join(" → ");
  const [before, afterOne, afterBurst] = readings.length === 3 ? readings : [readings[0], undefined, readings[1]];
  if (before !== undefined && afterOne !== undefined && afterBurst !== undefined) {
    const [b, a1, a2] = [asNumber(before), asNumber(afterOne), asNumber(afterBurst)];
    if (b !== undefined && a1 !== undefined && a2 !== undefined) {
      const one = a1 - b;
      const burst = a2 - a1;
      if (one === 0)
        return {
          observed: true,
          ok: true,
          judged: false,
          readings,
          message: `one delivery did not change the probe's number (${shown}), so the probe may not observe this type: side effects were not judged`,
        };
      return burst === one
        ? {
            observed: true,
            ok: true,
            judged: true,
            readings,
            message: `${count} identical deliveries changed the state by ${burst}, as one delivery does (${shown})`,
          }
        : {
            observed: true,
            ok: false,
            judged: true,
            readings,
            message: `${count} identical deliveries changed the state by ${burst} where one delivery changes it by ${one} (${shown}): the handler processed the same transaction ${burst === 0 ? "not at all" : "more than once"}`,
          };
    }
  }
  const first = readings[0];
  const last = readings[readings.length - 1];
  if (first === last)
    return {
      observed: true,
      ok: true,
      judged: false,
      readings,
      message: `the state did not change at all (probe printed ${JSON.stringify(first)} each time), so the probe may not observe this type: side effects were not judged`,
    };
  return {
    observed: true,
    ok: true,
    judged: false,
    readings,
    message: `the state changed (${shown}), but the probe does not print a number, so whether ${count} identical deliveries counted once could not be judged`,
  };
}
