import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import ipaddr from "ipaddr.js";

/**
 * The guard for requests the server makes on a user's behalf (webhooks):
 * only http(s), and never to loopback, link-local, private, CGNAT, multicast
 * or otherwise non-global addresses unless the operator's allow-list
 * (TAILAPI_OUTBOUND_ALLOW) names them. The check runs on the addresses the
 * connection actually uses (a custom DNS lookup), so a name that resolves to
 * a private address, or re-resolves to one later, is refused too.
 */
export type AllowList = readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];

/** Parses `127.0.0.0/8,::1/128` (a bare address means just that address). Throws on a bad entry. */
export function parseAllowList(text: string): AllowList {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes("/")) return ipaddr.parseCIDR(entry);
      const a = ipaddr.parse(entry);
      return [a, a.kind() === "ipv4" ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
    });
}

/** Why an address may not be a target, or undefined when it may. */
export function addressProblem(address: string, allow: AllowList): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const a = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  if (allow.some(([net, bits]) => net.kind() === a.kind() && a.match(net as never, bits))) return undefined;
  const range = a.range();
  if (range === "unicast") return undefined;
  return `${address} is a ${range} address; add it to TAILAPI_OUTBOUND_ALLOW to allow it`;
}

export class OutboundRefused extends Error {}

/** Why a URL may not be a target before any lookup (scheme, literal addresses), or undefined. */
export function urlProblem(text: string, allow: AllowList): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "must be an http or https URL";
  if (u.username || u.password) return "must not carry credentials";
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return addressProblem(host, allow);
  if (host === "localhost" || host.endsWith(".localhost")) return addressProblem("127.0.0.1", allow);
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(allow: AllowList) {
  return (hostname: string, options: { all?: boolean; family?: number } | number, callback: LookupCallback) => {
    const opts = typeof options === "number" ? { family: options } : options;
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const ok = list.filter((a) => addressProblem(a.address, allow) === undefined);
      if (ok.length === 0) {
        const problem = list.length ? addressProblem(list[0]!.address, allow) : `${hostname} has no address`;
        return callback(Object.assign(new OutboundRefused(`refused: ${hostname}: ${problem}`), { code: "EREFUSED_TARGET" }), []);
      }
      if (opts.all) callback(null, ok);
      else callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

export type PostResult = { status?: number; error?: string };

/**
 * POSTs `body` to `url` with the guard, a timeout, no redirects followed,
 * and the answer's body read and dropped (at most 64 KiB are read). Never
 * throws: the result carries the status or a one-line error.
 */
export function guardedPost(url: string, body: string, headers: Record<string, string>, o: { allow: AllowList; timeoutMs: number }): Promise<PostResult> {
  const problem = urlProblem(url, o.allow);
  if (problem) return Promise.resolve({ error: `refused: ${problem}` });
  return new Promise((resolve) => {
    const u = new URL(url);
    const mod = u.protocol === "https:" ? https : http;
    let done = false;
    const finish = (r: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = mod.request(
      u,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(o.allow) as never,
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) res.destroy();
        });
        res.on("end", () => finish({ status: res.statusCode }));
        res.on("close", () => finish({ status: res.statusCode }));
        res.on("error", () => finish({ status: res.statusCode }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ error: `timed out after ${o.timeoutMs} ms` });
    }, o.timeoutMs);
    req.on("error", (err) => finish({ error: err instanceof OutboundRefused ? err.message : `${(err as NodeJS.ErrnoException).code ?? "error"}: ${err.message}` }));
    req.end(body);
  });
}
