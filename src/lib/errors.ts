import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "@hono/zod-openapi";
import { requestLog, type AppEnv } from "./context.js";

/**
 * The one error type of the API. Everything that is not a 2xx leaves the
 * server as `{"message": …}` (Tailscale's Error schema), through `onError`.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers?: Record<string, string>;

  constructor(status: ContentfulStatusCode, message: string, headers?: Record<string, string>) {
    // An ApiError is an answer, not a bug: capturing its stack trace would be
    // most of its cost on hot paths such as 401s and 404s.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.status = status;
    if (headers) this.headers = headers;
  }
}

export const MESSAGES = {
  notFound: "not found",
  unauthorized: "API token invalid",
  forbidden: "calling actor does not have enough permissions to perform this function",
  internal: "internal server error",
} as const;

export const notFound = () => new ApiError(404, MESSAGES.notFound);
export const badRequest = (message: string) => new ApiError(400, message);
export const forbidden = () => new ApiError(403, MESSAGES.forbidden);

export function errorBody(c: Context, status: ContentfulStatusCode, message: string) {
  return c.json({ message }, status);
}

/** Hono's onError: maps every thrown thing to Tailscale's error shape. */
export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return errorBody(c, err.status, err.message);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    let message = err.message;
    if (status === 400 && /malformed json/i.test(message)) message = "invalid JSON in request body";
    if (!message) message = status === 413 ? "request body too large" : status === 415 ? "unsupported media type" : "bad request";
    return errorBody(c, status, message);
  }
  // Anything else is our bug: log it with the request id, tell the client nothing internal.
  if (c.get("services")) requestLog(c).error({ err }, "unhandled error");
  else console.error(err);
  return errorBody(c, 500, MESSAGES.internal);
}

/** The zod-openapi defaultHook: a validation failure becomes a 400 whose message names the field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context,
) {
  if (result.success) return;
  return errorBody(c, 400, formatZodError(result.error, result.target));
}

export function formatZodError(error: z.ZodError, target?: string): string {
  const issue = error.issues[0];
  if (!issue) return "bad request";
  const where = issue.path.length ? issue.path.join(".") : target === "json" ? "body" : (target ?? "input");
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  return `invalid ${where}: ${issue.message}${more}`;
}

const ErrorSchema = z.object({ message: z.string().openapi({ example: "not found" }) }).openapi("Error");

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
