// The library entry (the CLI's bin is separate). Small on purpose: signing, fixtures, the use-case
// runners (send, retry, contract suite, flows, Event API polling), receiving, and retry policies as data.
export {
  signBody,
  verifySignature,
  parseSignatureHeader,
  formatSignatureHeader,
  maskSecret,
  type RawBody,
  type VerifyResult,
} from "./core/signature.js";
export { loadFixtures, loadBuiltinFixtures, BUILTIN_FIXTURES_DIR } from "./adapters/fixtures-fs.js";
export { findFixture } from "./core/fixtures/catalog.js";
export { buildPayload, serializeBody, applyEdits, type BuiltPayload, type BuildOptions, type BodyFormat } from "./core/fixtures/payload.js";
export { parseSetArgument, setAtPath, getAtPath, deepMerge, type Json, type JsonObject } from "./core/fixtures/overrides.js";
export type { Fixture, FixtureMeta, RetryPolicyName, ResponseBodyKind } from "./core/fixtures/types.js";
export { XSOLLA_NOTIFICATION_TYPES } from "./core/fixtures/known-types.js";
export {
  sendWebhook,
  sendOnce,
  sendWithRetry,
  prepareSigned,
  prepareReplay,
  planSendRetry,
  type SendWebhookOptions,
  type SendWebhookResult,
  type SendContext,
} from "./runners/send.js";
export { buildWebhookRequest, type SignatureMode } from "./core/delivery/request.js";
export { deliver, deliverOnce, type DeliveryReport, type AttemptRecord, type DeliverOptions } from "./runners/deliver.js";
export { judgeDelivery, judgeRetry, type DeliveryVerdict, type RetryVerdict } from "./core/delivery/judge.js";
export { planRetry, type RetryPlan, type RetryRequest } from "./core/delivery/retry-plan.js";
export { RETRY_POLICIES, classifyAttempt, attemptOffsetsMs, type RetryPolicy } from "./core/delivery/policies.js";
export { createVirtualClock, type VirtualClock } from "./core/delivery/clocks.js";
export { createSystemClock } from "./adapters/system-clock.js";
export { createHttpTransport } from "./adapters/http-transport.js";
export type { Clock, Transport, OutgoingRequest, SendResult, Reply, NoReply, PolicyDecision } from "./core/delivery/types.js";
export {
  runPoll,
  forwardEvent,
  type PollRunOptions,
  type PollListener,
  type PollSummary,
  type ForwardTarget,
  type ForwardResult,
} from "./runners/poll.js";
export { checkResponse, checkResponseBody, parseStatusList, type Expectation } from "./core/expectation.js";
export { startReceiver, type ReceiverOptions, type RunningReceiver, type ReceivedRequest } from "./server/receiver.js";
export { respondToWebhook, type RespondOptions, type ReceiverReply } from "./server/respond.js";
export { ExitCode, XsollaHooksError, UsageError, UnreachableError } from "./core/errors.js";
export { runContractSuite, type ContractSuiteOptions, type ContractSuiteResult, type ContractCheckResult } from "./runners/suite.js";
export { toJsonReport, toJunitReport, toTapReport } from "./core/contract/reporters.js";
export { runFlow, type FlowRunOptions, type FlowResult, type FlowStepResult } from "./runners/flow.js";
export { BUILTIN_FLOWS, findBuiltinFlow, createStory } from "./core/flow/builtin.js";
export { toFlowJson } from "./core/flow/report.js";
export type { FlowDefinition, FlowStepSpec, FlowStory, Perturbations } from "./core/flow/types.js";
export {
  createEventApiClient,
  pollEvents,
  createAcker,
  startMockEventApi,
  parseEventsResponse,
  parseEventsPage,
  otherProjectIds,
  EventApiError,
  UNDOCUMENTED,
  type EventApiClient,
  type EventApiClientOptions,
  type EventsPage,
  type XsollaEvent,
  type PollItem,
  type MockEventApi,
} from "./events-api/index.js";
export { diagnoseSignature, DIAGNOSIS_CODES, type Diagnosis, type DiagnosisCode } from "./core/signature-diagnosis.js";
export { serializeCapturedRequest, parseCapturedRequest, captureFileName, type CapturedRequest } from "./core/http-capture.js";
export { replayCapturedRequest } from "./core/delivery/replay.js";
