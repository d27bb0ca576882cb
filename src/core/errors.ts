// One error model for the whole tool. Only src/cli/main.ts turns these into a process exit.

export const ExitCode = {
  Ok: 0,
  CheckFailed: 1,
  Usage: 2,
  Unreachable: 3,
  Internal: 70,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const ErrorCode = {
  Usage: "USAGE",
  BadInput: "BAD_INPUT",
  UnknownFixture: "UNKNOWN_FIXTURE",
  InvalidFixture: "INVALID_FIXTURE",
  MissingSecret: "MISSING_SECRET",
  Unreachable: "UNREACHABLE",
  Timeout: "TIMEOUT",
  BadResponse: "BAD_RESPONSE",
  CheckFailed: "CHECK_FAILED",
  Interrupted: "INTERRUPTED",
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** With --json: the command's own document for stdout (it carries the failure), instead of a bare error object. */
  jsonReport?: unknown;
  /** The command already put its report on stdout: with --json, nothing more goes there. */
  reported?: boolean;
}

export class XsollaHooksError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly jsonReport: unknown;
  readonly reported: boolean;

  constructor(code: ErrorCode, exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "XsollaHooksError";
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.jsonReport = options.jsonReport;
    this.reported = options.reported ?? false;
  }
}

/** Bad flags, bad files, unknown names: the user can fix the call (exit 2). */
export class UsageError extends XsollaHooksError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCode.Usage, ExitCode.Usage, message, options);
    this.name = "UsageError";
  }
}

/** The target could not be reached: refused, DNS, TLS, timeout (exit 3). */
export class UnreachableError extends XsollaHooksError {
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCode.Unreachable, ExitCode.Unreachable, message, options);
    this.name = "UnreachableError";
  }
}

/** The user pressed Ctrl-C, or the process got SIGTERM (exit 130). */
export class InterruptedError extends XsollaHooksError {
  constructor(message = "interrupted", options: Pick<ErrorOptions, "jsonReport"> = {}) {
    super(ErrorCode.Interrupted, ExitCode.Interrupted, message, options);
    this.name = "InterruptedError";
  }
}
