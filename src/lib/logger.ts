import pino, { type Logger } from "pino";

/** Structured JSON logs on stdout. Secrets never reach a log line: nothing logs headers or bodies. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "tailapi" },
    redact: { paths: ["authorization", "*.authorization", "secret", "*.secret", "key", "*.key"], censor: "[redacted]" },
  });
}
