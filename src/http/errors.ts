import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, MESSAGES, type ErrorKind } from "../lib/errors.js";
import { findTextIssue } from "../lib/text.js";
import { isUnavailableError } from "../db/health.js";
import { requestLog, type AppEnv } from "./context.js";

/** The one mapping from domain error kinds to HTTP statuses. */
const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rate_limited: 429,
  not_implemented: 501,
  unavailable: 503,
};

export function statusOf(kind: ErrorKind): ContentfulStatusCode {
  return STATUS[kind];
}

export function errorBody(c: Context, status: ContentfulStatusCode, message: string, data?: unknown) {
  return c.json(data === undefined ? { message } : { message, data }, status);
}

/** PostgreSQL SQLSTATE of a unique violation: a race the domain did not foresee is still a conflict, never a 500. */
const UNIQUE_VIOLATION = "23505";

/** Hono's onError: maps every thrown thing to Tailscale's error shape, `{"message": …}`. */
export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) {
    if (err.kind === "unauthorized") c.header("WWW-Authenticate", 'Basic realm="tailapi"');
    if (err.retryAfterSeconds !== undefined) c.header("Retry-After", String(err.retryAfterSeconds));
    return errorBody(c, STATUS[err.kind], err.message, err.data);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    let message = err.message;
    if (status === 400 && /malformed json/i.test(message)) message = "invalid JSON in request body";
    if (!message) message = status === 413 ? "request body too large" : status === 415 ? "unsupported media type" : "bad request";
    return errorBody(c, status, message);
  }
  // The database is away (or overloaded): fail fast with a 503 the client may retry.
  if (isUnavailableError(err)) {
    const services = c.get("services");
    services?.health.failed(err);
    c.header("Retry-After", "1");
    return errorBody(c, 503, MESSAGES.databaseUnavailable);
  }
  if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
    return errorBody(c, 409, "the request conflicts with an existing resource");
  }
  // The client hung up while we read its body: nothing to answer, not our bug.
  if (clientGone(c)) {
    if (c.get("services")) requestLog(c).debug({ code: (err as { code?: string }).code }, "client disconnected");
    return errorBody(c, 400, "the client closed the connection");
  }
  // Anything else is our bug: log it with the request id, tell the client nothing internal.
  if (c.get("services")) requestLog(c).error({ err }, "unhandled error");
  else console.error(err);
  return errorBody(c, 500, MESSAGES.internal);
}

/** Whether the client's connection is gone (under @hono/node-server; never in-process). */
function clientGone(c: Context<AppEnv>): boolean {
  const incoming = (c.env as { incoming?: { destroyed?: boolean; aborted?: boolean } } | undefined)?.incoming;
  return incoming !== undefined && (incoming.destroyed === true || incoming.aborted === true);
}

/**
 * The zod-openapi defaultHook: a validation failure becomes a 400 whose
 * message names the field. Valid input is also checked for strings
 * PostgreSQL cannot store (NUL, unpaired surrogates): those are a 400 naming
 * the field too, never a database error.
 */
export function validationHook(
  result: { success: true; data?: unknown; target?: string } | { success: false; error: z.ZodError; target?: string },
  c: Context,
) {
  if (result.success) {
    const issue = findTextIssue(result.data);
    if (!issue) return;
    const where = issue.path.length ? issue.path.join(".") : result.target === "json" ? "body" : (result.target ?? "input");
    return errorBody(c, 400, `invalid ${where}: ${issue.problem}`);
  }
  return errorBody(c, 400, formatZodError(result.error, result.target));
}

/** The message of a missing required field (schemas' own error functions return it). */
export const REQUIRED = "is required";

/**
 * One clear sentence about the first problem: which field, and what it must
 * be. Schemas give their own messages where zod's default would read like
 * validator internals.
 */
export function formatZodError(error: z.ZodError, target?: string): string {
  const issue = error.issues[0];
  if (!issue) return "bad request";
  const where = issue.path.length ? issue.path.join(".") : target === "json" ? "body" : (target ?? "input");
  if (issue.message === REQUIRED || (issue.code === "invalid_type" && /received undefined$/.test(issue.message))) return `${where} is required`;
  return `invalid ${where}: ${issue.message}`;
}

const ErrorSchema = z
  .object({
    message: z.string().openapi({ example: "not found" }),
    data: z.unknown().optional().openapi({ description: "Extra detail (policy test failures)." }),
  })
  .openapi("Error");

const errorContent = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** Spread into every route's `responses` so the document lists each error status. */
export const errorResponses = {
  400: errorContent("Bad request: the message names the offending field."),
  401: errorContent("Missing, malformed, unknown, expired or revoked credential."),
  403: errorContent("The credential lacks the scope or role this operation needs."),
  404: errorContent("Not found (also for resources of other tailnets)."),
  429: errorContent("Rate limited: too many requests for this credential. `Retry-After` says when to try again; `RateLimit-*` headers give the limit."),
  431: errorContent("The request's URL or headers are too large (16 KiB in all)."),
  500: errorContent("Internal server error."),
  503: errorContent("The database is unavailable or the server is saturated: retry after `Retry-After` seconds."),
} as const;

export const conflictResponse = errorContent("Conflict: the value is held by another resource.");
export { ErrorSchema };
