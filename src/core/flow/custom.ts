// Custom flows from the config file (already checked by the schema in core/config.ts) → definitions
// that plan like the built-in ones: each step gets the run's shared values, then its own sets.
import { UsageError } from "../errors.js";
import type { Json } from "../fixtures/overrides.js";
import { BUILTIN_FLOWS, findBuiltinFlow } from "./builtin.js";
import type { FlowDefinition, FlowStepSpec, StepEffect } from "./types.js";

export interface CustomFlowStep {
  id?: string | undefined;
  type: string;
  title?: string | undefined;
  drop?: string[] | undefined;
  set?: Record<string, Json | { from: string }> | undefined;
  expect?: string | undefined;
  reject?: string | undefined;
  effect?: StepEffect | undefined;
  dependsOn?: string | undefined;
}

export interface CustomFlow {
  description?: string | undefined;
  steps: CustomFlowStep[];
}

/** What a step of this type does to the state unless the config says otherwise. */
export function defaultEffect(type: string): StepEffect {
  const base = type.split(".")[0];
  if (base === "payment" || base === "order_paid") return "grant";
  if (base === "refund" || base === "order_canceled") return "revoke";
  if (base === "partial_refund") return "partial";
  if (base === "user_validation") return "none";
  return "unjudged";
}

export function customFlowDefinitions(flows: Readonly<Record<string, CustomFlow>>): FlowDefinition[] {
  return Object.entries(flows).map(([name, flow]) => {
    if (findBuiltinFlow(name))
      throw new UsageError(`config flows.${name}: "${name}" is a built-in flow`, {
        hint: `give your flow another name (built-in: ${BUILTIN_FLOWS.map((f) => f.name).join(", ")})`,
      });
    const both = flow.steps.findIndex((step) => step.expect !== undefined && step.reject !== undefined);
    if (both !== -1) throw new UsageError(`config flows.${name}.steps.${both}: give expect or reject, not both`);
    const steps: FlowStepSpec[] = flow.steps.map((step) => ({
      id: step.id ?? step.type.split(".")[0] ?? step.type,
      fixture: step.type,
      title: step.title ?? step.type,
      effect: step.effect ?? defaultEffect(step.type),
      drop: step.drop,
      sets: step.set,
      expect: step.expect,
      rejection: step.reject,
      dependsOn: step.dependsOn,
    }));
    return {
      name,
      summary: flow.description ?? steps.map((s) => s.id).join(", then "),
      modal: false,
      custom: true,
      basis: "",
      steps: () => steps,
    };
  });
}
