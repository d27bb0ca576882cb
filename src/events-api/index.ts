// The Event API module in one import, for the CLI's `events` commands and the library entry.
export {
  EventSchema,
  EventDataSchema,
  EventIdSchema,
  EventsResponseSchema,
  parseEventsResponse,
  parseEventsPage,
  formatIssuePath,
  type RejectedEvent,
  type ParseEventsPageResult,
  type XsollaEvent,
  type XsollaEventData,
  type EventsResponse,
  type ParseEventsResult,
} from "./schema.js";
export { decodeJwtClaims, jwtExpiry, maskToken, redactSecrets, describeDistance, type JwtClaims } from "./jwt.js";
export { EventApiError, isEventApiError, RETRYABLE_KINDS, type EventApiErrorKind, type EventApiErrorDetails } from "./errors.js";
export {
  createEventApiClient,
  resolveClientConfig,
  buildListUrl,
  buildProcessedUrl,
  buildHeaders,
  parseRetryAfter,
  interpretListAnswer,
  interpretListPage,
  interpretProcessedAnswer,
  errorForStatus,
  EVENT_API_BASE_URL,
  DEFAULT_EVENT_API_TIMEOUT_MS,
  EVENT_API_RESPONSE_LIMIT,
  type EventApiAuth,
  type EventApiClient,
  type EventApiClientOptions,
  type EventsPage,
  type ListEventsOptions,
  type RawReply,
  type AnswerContext,
} from "./client.js";
export {
  pollEvents,
  createAcker,
  backoffDelay,
  decideAfterFailure,
  uniqueInIdOrder,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_PAGE_REPEATS,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_FAILURES,
  type PollItem,
  type PollOptions,
  type BackoffOptions,
  type FailureDecision,
  type FailurePolicy,
  type Acker,
  type AckerOptions,
  type AckResult,
} from "./poll.js";
export {
  startMockEventApi,
  mulberry32,
  MOCK_DEFAULT_PAGE_SIZE,
  type MockEventApi,
  type MockEventApiOptions,
  type MockFaults,
  type MockEventRecord,
  type MockErrorBody,
  type MockRequestLogEntry,
  type MockStats,
} from "./mock-server.js";
export { eventProjectIds, otherProjectIds } from "./scope.js";
export { enqueueRemote, listRemote, type AdminCallOptions, type AdminEventRecord } from "./admin-client.js";
export { UNDOCUMENTED, type UndocumentedBehaviour } from "./undocumented.js";
