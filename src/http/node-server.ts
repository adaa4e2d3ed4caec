import http from "node:http";
import type { Duplex } from "node:stream";
import { getRequestListener, RequestError } from "@hono/node-server";
import type { Logger } from "pino";

type Fetch = (req: Request, env: unknown) => Response | Promise<Response>;

const JSON_TYPE = "application/json; charset=utf-8";

const jsonResponse = (status: number, message: string) =>
  new Response(JSON.stringify({ message }), { status, headers: { "content-type": JSON_TYPE, "cache-control": "no-store" } });

/**
 * What Node's HTTP parser refuses before a request exists, answered the way
 * every other error is (`{"message"}`), where Node's default is an empty body.
 */
export function clientErrorAnswer(code: string | undefined): { status: number; message: string } | undefined {
  switch (code) {
    case "ECONNRESET":
    case "EPIPE":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return undefined; // the client went away: nothing to answer, nothing to log
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, message: "request headers too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "ERR_HTTP_HEADERS_TIMEOUT":
      return { status: 408, message: "request timeout: the request was not received in time" };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
    case "HPE_INVALID_CHUNK_SIZE":
      return { status: 400, message: "malformed request: bad chunked encoding" };
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_INVALID_TRANSFER_ENCODING":
      return { status: 400, message: "malformed request: conflicting or invalid Content-Length / Transfer-Encoding" };
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_LF_EXPECTED":
    case "HPE_CR_EXPECTED":
      return { status: 400, message: "malformed request: invalid header" };
    case "HPE_INVALID_METHOD":
      return { status: 400, message: "malformed request: invalid method" };
    case "HPE_INVALID_URL":
      return { status: 400, message: "malformed request: invalid request target" };
    default:
      return { status: 400, message: "malformed HTTP request" };
  }
}

function rawAnswer(status: number, message: string): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Error"}\r\n` +
    `Content-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * The HTTP server tailapi listens with: @hono/node-server's request listener
 * on a plain node:http server, plus JSON answers for what the HTTP layer
 * itself refuses (malformed requests, oversized headers, bad chunking,
 * conflicting lengths, an unknown `Expect`, a bad Host). Client disconnects
 * are logged at debug level only.
 */
export function createHttpServer(fetch: Fetch, logger: Logger): http.Server {
  const listener = getRequestListener(fetch as never, {
    // A request @hono/node-server cannot turn into a Request (bad Host, bad
    // target): the same JSON shape as every other error.
    errorHandler: (err: unknown) => {
      if (err instanceof RequestError) return jsonResponse(400, `malformed request: ${err.message.toLowerCase()}`);
      logger.error({ err }, "unhandled error outside the application");
      return jsonResponse(500, "internal server error");
    },
  });
  // Missing Host headers fall back to the listen address instead of Node's empty 400.
  const server = http.createServer({ requireHostHeader: false }, listener);
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = clientErrorAnswer(err.code);
    const msg = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!answer || !socket.writable || msg?.headersSent) {
      socket.destroy();
      return;
    }
    logger.debug({ code: err.code, status: answer.status }, "malformed request refused");
    socket.end(rawAnswer(answer.status, answer.message));
  });
  server.on("checkExpectation", (_req, res) => {
    const body = JSON.stringify({ message: "unsupported Expect header: only 100-continue is supported" });
    res.writeHead(417, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body), connection: "close" });
    res.end(body);
  });
  return server;
}
