import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { TrieRouter } from "hono/router/trie-router";

type Route<T> = [method: string, path: string, handler: T];

/**
 * Hono's router for our route table: its RegExpRouter (one precompiled
 * regular expression per method: the fastest match, and no per-request sort)
 * for every path it supports, its TrieRouter for the few it refuses.
 *
 * RegExpRouter refuses a static segment beside a parameter at the same place
 * when both lead further (`/device-invites/-/accept` beside
 * `/device-invites/:id`, `/logging/:logType/stream` beside
 * `/logging/network`), and Hono's default SmartRouter then falls back to the
 * TrieRouter for every request. Here the refused paths are found once (the
 * routes RegExpRouter cannot add beside those before them), and a request
 * goes to the TrieRouter, which holds every route, only when its path could
 * match one of them; any other path cannot match a refused route, so both
 * routers give it the same handlers in the same order. Either way the match
 * is the one a single router over every route gives.
 *
 * A refused path this class cannot turn into a pattern (anything but static
 * segments and `:name` parameters) sends every request to the TrieRouter.
 */
export class SplitRouter<T> implements Router<T> {
  name = "SplitRouter";
  readonly #routes: Route<T>[] = [];
  #built: { fast: RegExpRouter<T>; trie: TrieRouter<T>; slow: RegExp | undefined } | undefined;

  add(method: string, path: string, handler: T): void {
    if (this.#built) throw new Error("SplitRouter: cannot add a route after the first match");
    this.#routes.push([method, path, handler]);
  }

  match(method: string, path: string): Result<T> {
    const b = (this.#built ??= this.#build());
    return b.slow === undefined || !b.slow.test(path) ? b.fast.match(method, path) : b.trie.match(method, path);
  }

  /** The paths RegExpRouter refused, as they were registered (for tests and the docs). */
  get refused(): string[] {
    return refusedPaths(this.#routes);
  }

  #build() {
    const trie = new TrieRouter<T>();
    for (const r of this.#routes) trie.add(...r);
    const refused = new Set(refusedPaths(this.#routes));
    const fast = new RegExpRouter<T>();
    for (const r of this.#routes) if (!refused.has(r[1])) fast.add(...r);
    const patterns = [...refused].map(pathPattern);
    const slow = patterns.includes(undefined) ? /^/ : patterns.length ? new RegExp(`^(?:${patterns.join("|")})$`) : undefined;
    fast.match("GET", "/"); // compiles its matchers

    return { fast, trie, slow };
  }
}

const refusedCache = new Map<string, string[]>();

/**
 * The paths RegExpRouter cannot hold beside the ones registered before them,
 * found by adding paths in order (each with all its routes) and keeping those
 * it accepts. Memoised per route table: every app of a process has the same.
 */
function refusedPaths(routes: Route<unknown>[]): string[] {
  const key = routes.map(([m, p]) => `${m} ${p}`).join("\n");
  let refused = refusedCache.get(key);
  if (refused) return refused;
  refused = [];
  if (!accepts(routes)) {
    const paths = [...new Set(routes.map((r) => r[1]))];
    const kept = new Set<string>();
    for (const p of paths) {
      kept.add(p);
      if (!accepts(routes.filter((r) => kept.has(r[1])))) {
        kept.delete(p);
        refused.push(p);
      }
    }
  }
  refusedCache.set(key, refused);
  return refused;
}

function accepts(routes: Route<unknown>[]): boolean {
  const r = new RegExpRouter<unknown>();
  try {
    for (const x of routes) r.add(...x);
    r.match("GET", "/");
    return true;
  } catch {
    return false;
  }
}

/** A registered path as a regular expression over request paths, when it is only static segments and `:name` parameters. */
function pathPattern(path: string): string | undefined {
  const parts = path.split("/").map((seg) => (/^:\w+$/.test(seg) ? "[^/]+" : /^[\w.~-]*$/.test(seg) ? seg.replace(/[.~-]/g, "\\$&") : undefined));
  return parts.includes(undefined) ? undefined : `${parts.join("/")}/?`;
}
