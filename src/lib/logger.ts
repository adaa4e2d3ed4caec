import cluster from "node:cluster";
import pino, { type Logger } from "pino";

/** Structured JSON logs on stdout. Secrets never reach a log line: nothing logs headers or bodies. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    // Under TAILAPI_WORKERS each line says which worker wrote it.
    base: cluster.isWorker ? { service: "tailapi", worker: cluster.worker!.id } : { service: "tailapi" },
    redact: { paths: ["authorization", "*.authorization", "secret", "*.secret", "key", "*.key"], censor: "[redacted]" },
  });
}

const TSKEY = /(tskey-[a-z]+-[A-Za-z0-9]+-)[A-Za-z0-9]+/g;
const JWT = /\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.)[A-Za-z0-9_-]+/g;

/**
 * Text from a client that is about to be logged (a request path) with any
 * secret-shaped part replaced: a `tskey-…` secret pasted into a URL, or a
 * JWT. Key ids stay, so the line still says which key it was.
 */
export function redactSecrets(text: string): string {
  return text.replace(TSKEY, "$1[redacted]").replace(JWT, "$1[redacted]");
}
