// Flows: Xsolla's webhook sequences as data. A flow is a list of steps, each a catalog fixture with the
// values one purchase (or subscription) shares across its webhooks; plan.ts turns a flow and its
// perturbations into deliveries, judge.ts decides what the replies and the state probe showed.
import type { Json } from "../fixtures/overrides.js";
import type { ContractCheckResult, ContractSuiteResult } from "../contract/types.js";

/**
 * What a step should do to the handler's state, as a state probe sees it:
 * grant (the purchase), revoke (a refund takes all of it back), partial (a partial refund takes part back),
 * none (must not change it: a user check), unjudged (a change is fine either way: subscription bookkeeping).
 */
export type StepEffect = "grant" | "revoke" | "partial" | "none" | "unjudged";

/** A value taken from an earlier step's body: `{"from": "purchase.transaction.id"}` (step id, then a path). */
export interface FromReference {
  from: string;
}

export type StepValue = Json | FromReference;

export interface FlowStepSpec {
  /** Stable id, shown in `flow --list` and named by --duplicate, --swap, --stop-after. */
  id: string;
  /** Catalog name: a type (its default fixture) or type.variant. */
  fixture: string;
  /** What this webhook means in the sequence, for --list and the report. */
  title: string;
  effect: StepEffect;
  /** Paths removed from the fixture body before the sets (a block Xsolla does not send in this sequence). */
  drop?: readonly string[] | undefined;
  /** Values set on the body, in order; a FromReference reads an earlier step's body. */
  sets?: Readonly<Record<string, StepValue>> | undefined;
  /** Statuses that count as right (`204`, `2xx`, `4xx:INVALID_USER`); default: the type's documented success. */
  expect?: string | undefined;
  /** The step must be refused with this error.code (a 4xx; exactly 400 with --strict). */
  rejection?: string | undefined;
  /** Judged only when this earlier step got the answer it should (else: not run, its cause being the same). */
  dependsOn?: string | undefined;
}

export interface FlowDefinition {
  name: string;
  /** One line for --list and --help. */
  summary: string;
  /** Whether --mode combined|separate changes the steps. */
  modal: boolean;
  /** What is Xsolla's documented behaviour and what is our model, for --list and the README. */
  basis: string;
  /** From the config file rather than built in. */
  custom: boolean;
  steps(mode: FlowMode, story: FlowStory): FlowStepSpec[];
}

export type FlowMode = "combined" | "separate";

/** The values every webhook of one run shares: who, which purchase, when. */
export interface FlowStory {
  userId: string;
  unknownUserId: string;
  /** payment transaction.id = order_paid billing.transaction.id = refund transaction.id. */
  transactionId: number;
  /** The renewal charge of a subscription: a transaction of its own. */
  renewalTransactionId: number;
  orderId: number;
  /** order.invoice_id; the same number as the transaction id (Inferred: both are 1 in Xsolla's sample). */
  invoiceId: string;
  subscriptionId: string;
  /** Epoch ms: the checkout; later events are dated after it. */
  startAt: number;
}

export interface Perturbations {
  duplicate: readonly string[];
  concurrent: readonly string[];
  swap: readonly (readonly [string, string])[];
  stopAfter?: string | undefined;
  retry: boolean;
}

/** One step's result: a contract check with where it sat on the timeline, so the same reporters render it. */
export interface FlowStepResult extends ContractCheckResult {
  /** The step id this delivery belongs to (the check id adds :duplicate, :concurrent, :control). */
  step: string;
  type: string;
  /** When it went out, from the start of the flow (virtual time added by --retry waits). */
  offsetMs: number;
  attempts: number;
}

export interface FlowResult extends ContractSuiteResult {
  flow: string;
  mode: FlowMode | null;
  perturbations: string[];
  /** What the state probe showed overall, or that side effects were not observed. */
  sideEffects: string;
  checks: FlowStepResult[];
}
