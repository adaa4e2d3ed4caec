/**
 * The one error type. Domain code (and anything below the HTTP layer) throws
 * a DomainError of a kind; the HTTP layer maps kinds to statuses in exactly
 * one place (`src/http/errors.ts`). Nothing here knows about HTTP.
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "rate_limited"
  | "not_implemented"
  | "unavailable";

export class DomainError extends Error {
  readonly kind: ErrorKind;
  /** Extra detail some answers carry (Tailscale's `data` on policy test failures). */
  readonly data?: unknown;
  /** For rate_limited and unavailable: when to try again. */
  readonly retryAfterSeconds?: number;

  constructor(kind: ErrorKind, message: string, extra: { data?: unknown; retryAfterSeconds?: number } = {}) {
    // A DomainError is an answer, not a bug: capturing its stack trace would be
    // most of its cost on hot paths such as 401s and 404s.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.kind = kind;
    if (extra.data !== undefined) this.data = extra.data;
    if (extra.retryAfterSeconds !== undefined) this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

export const MESSAGES = {
  notFound: "not found",
  unauthorized: "API token invalid",
  forbidden: "calling actor does not have enough permissions to perform this function",
  internal: "internal server error",
  databaseUnavailable: "the database is unavailable; try again shortly",
  busy: "the server is busy; try again shortly",
} as const;

export const invalid = (message: string, data?: unknown) => new DomainError("invalid", message, { data });
export const unauthorized = (message: string = MESSAGES.unauthorized) => new DomainError("unauthorized", message);
export const forbidden = (message: string = MESSAGES.forbidden) => new DomainError("forbidden", message);
export const notFound = (message: string = MESSAGES.notFound) => new DomainError("not_found", message);
export const conflict = (message: string) => new DomainError("conflict", message);
export const preconditionFailed = (message: string) => new DomainError("precondition_failed", message);
export const notImplemented = (message: string) => new DomainError("not_implemented", message);
export const rateLimited = (message: string, retryAfterSeconds: number) => new DomainError("rate_limited", message, { retryAfterSeconds });
export const unavailable = (message: string, retryAfterSeconds: number) => new DomainError("unavailable", message, { retryAfterSeconds });
