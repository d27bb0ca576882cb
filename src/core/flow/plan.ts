// A flow and its perturbations → the deliveries, in the order they go out. Pure: fixtures, the story
// and randomness come in; src/runners/flow.ts sends the groups and reads the state probe between them.
import { UsageError } from "../errors.js";
import { closestName, findFixture } from "../fixtures/catalog.js";
import type { FreshContext } from "../fixtures/fresh.js";
import { getAtPath, isPlainObject, splitPath, type Json, type SetOverride } from "../fixtures/overrides.js";
import { applyEdits, applyFresh, serializeBody } from "../fixtures/payload.js";
import type { Fixture } from "../fixtures/types.js";
import { storySets } from "./builtin.js";
import type { FlowDefinition, FlowMode, FlowStepSpec, FlowStory, Perturbations, StepValue } from "./types.js";

/** original: the step as Xsolla sends it; duplicate: the same bytes again; concurrent: a second copy at the same time; control: the step for another purchase, alone, to see what one delivery does. */
export type DeliveryCopy = "original" | "duplicate" | "concurrent" | "control";

export interface PlannedDelivery {
  /** The check id in the report: the step id, plus `:duplicate`, `:concurrent` or `:control` for the extra copies. */
  id: string;
  step: FlowStepSpec;
  copy: DeliveryCopy;
  fixture: Fixture;
  body: Json;
  bytes: Buffer;
  notificationType: string | null;
  transactionId: string | null;
  orderId: string | null;
  userId: string | null;
}

/** Deliveries of one group go out at the same time; the state probe is read before the first group and after each. */
export interface PlannedGroup {
  deliveries: PlannedDelivery[];
}

export interface FlowPlan {
  flow: string;
  mode: FlowMode | null;
  story: FlowStory;
  /** The steps as the flow defines them, before any --swap or --stop-after. */
  steps: FlowStepSpec[];
  groups: PlannedGroup[];
  /** The perturbations as flags, for the report. */
  perturbations: string[];
}

export interface PlanInput {
  definition: FlowDefinition;
  mode: FlowMode;
  story: FlowStory;
  perturbations: Perturbations;
  fixtures: readonly Fixture[];
  fresh: FreshContext;
  /** A state probe is configured: a concurrent grant gets a control delivery to compare with. */
  stateProbe: boolean;
}

const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

const text = (value: Json | undefined): string | null =>
  value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value);

function isFrom(value: StepValue): value is { from: string } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.from === "string";
}

/** A copy of `root` without the value at `path` (nothing to remove is fine: the fixture may not have it). */
export function removeAtPath(root: Json, path: string): Json {
  const [head, ...rest] = splitPath(path);
  if (!isPlainObject(root) || head === undefined || !Object.hasOwn(root, head)) return root;
  const copy = { ...root };
  if (rest.length === 0) delete copy[head];
  else copy[head] = removeAtPath(root[head] as Json, rest.join("."));
  return copy;
}

/** The step ids a perturbation may name, with a suggestion for a typo. */
function checkStep(name: string, flag: string, steps: readonly FlowStepSpec[], flow: string): void {
  const ids = steps.map((s) => s.id);
  if (ids.includes(name)) return;
  const suggestion = closestName(name, ids);
  throw new UsageError(`${flag}: flow ${flow} has no step "${name}"`, {
    hint: `${suggestion ? `did you mean ${suggestion}? ` : ""}its steps: ${ids.join(", ")}`,
  });
}

/** The flow's own checks on its definition: ids unique and well formed, dependencies and references earlier. */
function checkDefinition(flow: string, steps: readonly FlowStepSpec[]): void {
  if (steps.length === 0) throw new UsageError(`flow ${flow} has no steps`);
  const seen = new Set<string>();
  for (const step of steps) {
    if (!STEP_ID.test(step.id))
      throw new UsageError(`flow ${flow}: step id "${step.id}" must start with a letter and use letters, digits, - and _ only`);
    if (seen.has(step.id)) throw new UsageError(`flow ${flow}: two steps are called "${step.id}"`, { hint: "give each step its own id" });
    if (step.dependsOn !== undefined && !seen.has(step.dependsOn))
      throw new UsageError(`flow ${flow}: step ${step.id} depends on "${step.dependsOn}", which is not an earlier step`);
    seen.add(step.id);
  }
}

/** Builds one step's body: fixture → fresh ids → drops → the story's values → the step's own sets. */
function buildStep(
  step: FlowStepSpec,
  fixture: Fixture,
  story: FlowStory,
  fresh: FreshContext,
  earlier: ReadonlyMap<string, Json>,
  flow: string,
): Json {
  let body = applyFresh(fixture.body, fixture.meta.fresh, fresh).body;
  for (const path of step.drop ?? []) body = removeAtPath(body, path);
  const sets: SetOverride[] = storySets(fixture.meta.type, body, story);
  for (const [path, value] of Object.entries(step.sets ?? {})) {
    splitPath(path);
    if (!isFrom(value)) {
      sets.push({ path, value });
      continue;
    }
    const [source = "", ...rest] = value.from.split(".");
    const sourceBody = earlier.get(source);
    if (sourceBody === undefined || rest.length === 0)
      throw new UsageError(`flow ${flow}: step ${step.id} sets ${path} from "${value.from}", but "${source}" is not an earlier step`, {
        hint: 'write {"from": "<earlier step id>.<path>"}, e.g. {"from": "purchase.transaction.id"}',
      });
    const found = getAtPath(sourceBody, rest.join("."));
    if (found === undefined)
      throw new UsageError(
        `flow ${flow}: step ${step.id} sets ${path} from "${value.from}", but step ${source}'s body has no ${rest.join(".")}`,
      );
    sets.push({ path, value: found });
  }
  return applyEdits(body, { sets });
}

function delivery(step: FlowStepSpec, fixture: Fixture, body: Json, copy: DeliveryCopy): PlannedDelivery {
  return {
    id: copy === "original" ? step.id : `${step.id}:${copy}`,
    step,
    copy,
    fixture,
    body,
    // Compact JSON as the contract suite sends: a handler that re-serializes still verifies it.
    bytes: serializeBody(body, "compact"),
    notificationType: text(getAtPath(body, "notification_type")),
    transactionId: text(getAtPath(body, "transaction.id") ?? getAtPath(body, "billing.transaction.id")),
    orderId: text(getAtPath(body, "order.id")),
    userId: text(getAtPath(body, "user.id") ?? getAtPath(body, "user.external_id")),
  };
}

export function describePerturbations(p: Perturbations): string[] {
  return [
    ...p.duplicate.map((s) => `--duplicate ${s}`),
    ...p.concurrent.map((s) => `--concurrent ${s}`),
    ...p.swap.map(([a, b]) => `--swap ${a},${b}`),
    ...(p.stopAfter ? [`--stop-after ${p.stopAfter}`] : []),
    ...(p.retry ? ["--retry"] : []),
  ];
}

export function planFlow(input: PlanInput): FlowPlan {
  const { definition, story, perturbations: p } = input;
  const flow = definition.name;
  const steps = definition.steps(input.mode, story);
  checkDefinition(flow, steps);
  for (const name of p.duplicate) checkStep(name, "--duplicate", steps, flow);
  for (const name of p.concurrent) checkStep(name, "--concurrent", steps, flow);
  for (const [a, b] of p.swap) {
    checkStep(a, "--swap", steps, flow);
    checkStep(b, "--swap", steps, flow);
    if (a === b) throw new UsageError(`--swap ${a},${b}: name two different steps`);
  }
  if (p.stopAfter !== undefined) checkStep(p.stopAfter, "--stop-after", steps, flow);
  const both = p.duplicate.find((s) => p.concurrent.includes(s));
  if (both) throw new UsageError(`--duplicate and --concurrent both name ${both}: pick one per step`);

  const fixtureOf = (step: FlowStepSpec) => {
    const [type = step.fixture, variant] = step.fixture.split(".");
    try {
      return findFixture(input.fixtures, type, variant);
    } catch (error) {
      // Which flow and step named it: a custom flow's author needs to know where to look.
      if (error instanceof UsageError)
        throw new UsageError(`flow ${flow} step ${step.id}: ${error.message}`, { code: error.code, hint: error.hint });
      throw error;
    }
  };
  // Bodies are built in the flow's own order, so a `from` reads a step the flow defines earlier.
  const bodies = new Map<string, Json>();
  const fixtures = new Map<string, Fixture>();
  for (const step of steps) {
    const fixture = fixtureOf(step);
    fixtures.set(step.id, fixture);
    bodies.set(step.id, buildStep(step, fixture, story, input.fresh, bodies, flow));
  }

  let order = steps.map((s) => s.id);
  for (const [a, b] of p.swap) {
    const i = order.indexOf(a);
    const j = order.indexOf(b);
    order[i] = b;
    order[j] = a;
  }
  if (p.stopAfter !== undefined) {
    order = order.slice(0, order.indexOf(p.stopAfter) + 1);
    const cut = [...p.duplicate, ...p.concurrent].find((id) => !order.includes(id));
    if (cut)
      throw new UsageError(`${cut} comes after --stop-after ${p.stopAfter}, so it is never sent`, { hint: "stop later, or leave it out" });
  }

  const groups: PlannedGroup[] = [];
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const id of order) {
    const step = byId.get(id) as FlowStepSpec;
    const fixture = fixtures.get(id) as Fixture;
    const body = bodies.get(id) as Json;
    if (p.concurrent.includes(id)) {
      // What one delivery does to the state, measured on a purchase of its own, before the flow: the pair is compared with it.
      if (input.stateProbe && step.effect === "grant") {
        const other: FlowStory = {
          ...story,
          transactionId: story.transactionId + 1,
          invoiceId: String(story.transactionId + 1),
          orderId: story.orderId + 1,
        };
        const controlBody = buildStep(step, fixture, other, input.fresh, bodies, flow);
        groups.unshift({ deliveries: [delivery(step, fixture, controlBody, "control")] });
      }
      groups.push({ deliveries: [delivery(step, fixture, body, "original"), delivery(step, fixture, body, "concurrent")] });
    } else {
      groups.push({ deliveries: [delivery(step, fixture, body, "original")] });
      if (p.duplicate.includes(id)) groups.push({ deliveries: [delivery(step, fixture, body, "duplicate")] });
    }
  }
  return {
    flow,
    mode: definition.modal ? input.mode : null,
    story,
    steps,
    groups,
    perturbations: describePerturbations(p),
  };
}

/** `a,b` → ["a", "b"], for --swap. */
export function parseSwap(value: string): [string, string] {
  const parts = value.split(",").map((s) => s.trim());
  if (parts.length !== 2 || parts.some((s) => s === ""))
    throw new UsageError(`invalid --swap "${value}": name two steps, e.g. --swap payment,order_paid`);
  return [parts[0] as string, parts[1] as string];
}
