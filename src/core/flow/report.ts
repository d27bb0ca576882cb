// A flow's results as people and scripts read them: a timeline line per step, a summary that names the
// step that broke, --json, and the catalog for --list and --help. junit and tap come from the contract
// reporters, which read the same result shape.
import { checkToJson, evidenceLines } from "../contract/reporters.js";
import type { Style } from "../text-style.js";
import { createStory } from "./builtin.js";
import type { FlowDefinition, FlowMode, FlowResult, FlowStepResult } from "./types.js";

/** `+0.1s`, `+12m5s`: where a step sat on the flow's timeline. */
export function formatFlowOffset(ms: number): string {
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const h = Math.floor(minutes / 60);
  return `+${h ? `${h}h` : ""}${minutes % 60 ? `${minutes % 60}m` : ""}${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatFlowStepLine(check: FlowStepResult, style: Style, width: number): string {
  const mark = check.outcome === "passed" ? style.ok("✓") : check.outcome === "not-run" ? style.dim("-") : style.bad("✗");
  const offset = check.outcome === "not-run" ? "" : formatFlowOffset(check.offsetMs);
  const status = check.status === null ? "   " : String(check.status);
  const detail =
    check.outcome === "passed"
      ? `${style.dim(check.message)}${check.note ? ` ${style.warn(`note: ${check.note}`)}` : ""}`
      : check.outcome === "not-run"
        ? style.dim(check.message)
        : style.bad(check.message);
  const line =
    `  ${mark} ${style.dim(offset.padEnd(9))}${check.id.padEnd(width)} ${check.type.padEnd(25)} ${status}  ${detail}`.trimEnd() + "\n";
  const evidence = check.outcome === "failed" ? evidenceLines(check, 300).map((l) => style.dim(`      ${l}`) + "\n") : [];
  return line + evidence.join("");
}

export function flowHeader(result: Pick<FlowResult, "flow" | "mode" | "url" | "perturbations">): string {
  const mode = result.mode ? ` (${result.mode})` : "";
  const extra = result.perturbations.length ? ` with ${result.perturbations.join(" ")}` : "";
  return `flow ${result.flow}${mode} → ${result.url}${extra}`;
}

export function formatFlowSummary(result: FlowResult, style: Style): string {
  const notRun = result.notRun ? `, ${result.notRun} not run` : "";
  const counts = `${result.passed} passed, ${result.failed} failed${notRun} (${(result.durationMs / 1000).toFixed(1)} s)`;
  const broke = result.checks.find((c) => c.outcome === "failed");
  const lines = [result.ok ? style.ok(counts) : style.bad(counts)];
  if (broke) lines.push(style.bad(`broke at ${broke.id} (${broke.type}): ${broke.message}`));
  lines.push(result.stateProbe ? style.dim(result.sideEffects) : style.warn(result.sideEffects));
  return `${lines.join("\n")}\n`;
}

export function toPrettyFlowReport(result: FlowResult, style: Style): string {
  const width = flowIdWidth(result.checks);
  return `${style.dim(flowHeader(result))}\n${result.checks.map((c) => formatFlowStepLine(c, style, width)).join("")}${formatFlowSummary(result, style)}`;
}

export function flowIdWidth(checks: readonly { id: string }[]): number {
  return Math.max(16, ...checks.map((c) => c.id.length));
}

export function toFlowJson(result: FlowResult): string {
  const { flow, mode, perturbations, ok, passed, failed, notRun, unreachable, url, strict, stateProbe, sideEffects, durationMs } = result;
  const steps = result.checks.map((check) => ({
    ...checkToJson(check),
    step: check.step,
    type: check.type,
    offsetMs: check.offsetMs,
    attempts: check.attempts,
  }));
  return `${JSON.stringify({ flow, mode, perturbations, ok, passed, failed, notRun, unreachable, url, strict, stateProbe, sideEffects, durationMs, steps }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The catalog.

const EXAMPLE_STORY = createStory({ now: Date.UTC(2025, 5, 12, 11, 3, 25), rand: () => 0.5 });

/** Each flow with its steps (per mode where --mode changes them), for `flow --list` and `flow --help`. */
export function describeFlows(definitions: readonly FlowDefinition[]): string {
  const blocks = definitions.map((definition) => {
    const modes: (FlowMode | null)[] = definition.modal ? ["combined", "separate"] : [null];
    const lines = [`${definition.name}${definition.custom ? " (config)" : ""}: ${definition.summary}`];
    for (const mode of modes) {
      const steps = definition.steps(mode ?? "combined", EXAMPLE_STORY);
      if (mode) lines.push(`  --mode ${mode}${mode === "combined" ? " (default)" : ""}:`);
      const pad = mode ? "    " : "  ";
      const width = Math.max(...steps.map((s) => s.id.length));
      for (const step of steps) lines.push(`${pad}${step.id.padEnd(width)}  ${step.fixture.padEnd(26)} ${step.title}`);
    }
    if (definition.basis) lines.push(`  basis: ${definition.basis}`);
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}

export function flowsToJson(definitions: readonly FlowDefinition[]): string {
  const flows = definitions.map((definition) => ({
    name: definition.name,
    summary: definition.summary,
    custom: definition.custom,
    basis: definition.basis,
    modes: Object.fromEntries(
      (definition.modal ? (["combined", "separate"] as const) : (["combined"] as const)).map((mode) => [
        definition.modal ? mode : "default",
        definition.steps(mode, EXAMPLE_STORY).map(({ id, fixture, title, effect, expect, rejection }) => ({
          id,
          fixture,
          title,
          effect,
          expect: rejection ? `4xx:${rejection}` : (expect ?? "success"),
        })),
      ]),
    ),
  }));
  return `${JSON.stringify({ flows }, null, 2)}\n`;
}
