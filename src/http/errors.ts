import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, MESSAGES, type ErrorKind } from "../lib/errors.js";
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
  if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
    return errorBody(c, 409, "the request conflicts with an existing resource");
  }
  // Anything else is our bug: log it with the request id, tell the client nothing internal.
  if (c.get("services")) requestLog(c).error({ err }, "unhandled error");
  else console.error(err);
  return errorBody(c, 500, MESSAGES.internal);
}

/** The zod-openapi defaultHook: a validation failure becomes a 400 whose message names the field. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError; target?: string }, c: Context) {
  if (result.success) return;
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
  500: errorContent("Internal server error."),
} as const;

export const conflictResponse = errorContent("Conflict: the value is held by another resource.");
export { ErrorSchema };
