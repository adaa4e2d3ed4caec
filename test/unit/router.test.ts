import type { Result } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { SplitRouter } from "../../src/http/router.js";
import { makeApp } from "../helpers.js";

/** A match as handlers in order, each with its parameters, whichever router produced it. */
function normalise<T>(r: Result<T>): { handler: T; params: Record<string, string> }[] {
  const [matched, stash] = r as [[T, Record<string, string | number>][], string[] | undefined];
  return matched.map(([handler, p]) => ({
    handler,
    params: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, stash ? stash[v as number]! : (v as string)])),
  }));
}

/** Request paths from a registered path: each parameter (and a trailing `*`) in several spellings, among them the static segments beside it. */
function instances(path: string): string[] {
  const values = ["-", "abc", "accept", "stream", "network", "status", "revoke", "keys", "n1CNTRL"];
  let out = [path.replace(/\/\*$/, "/x/y")];
  while (out.some((p) => /:\w+/.test(p))) out = out.flatMap((p) => (/:\w+/.test(p) ? values.map((v) => p.replace(/:\w+(\{[^}]*\})?/, v)) : [p]));
  return out.flatMap((p) => [p, `${p}/`, `${p}/extra`]);
}

describe("SplitRouter", () => {
  const { app } = makeApp();
  const routes = app.routes.map((r) => [r.method, r.path, r.handler] as const);

  it("refuses only what RegExpRouter cannot hold, and the app uses it", () => {
    const router = new SplitRouter<unknown>();
    for (const r of routes) router.add(...r);
    expect(router.refused.length).toBeGreaterThan(0);
    expect(router.refused.length).toBeLessThan(10);
    expect((app as unknown as { router: { name: string } }).router.name).toBe("SplitRouter");
  });

  it("matches every path of the route table exactly as one TrieRouter over every route does", () => {
    const split = new SplitRouter<unknown>();
    const trie = new TrieRouter<unknown>();
    for (const r of routes) {
      split.add(...r);
      trie.add(...r);
    }
    const paths = [...new Set(routes.flatMap(([, p]) => instances(p)))].concat(["/", "/nope", "/api/v2/", "/api/v2/device-invites/-/accept/"]);
    expect(paths.length).toBeGreaterThan(1000);
    let compared = 0;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
      for (const p of paths) {
        expect(normalise(split.match(method, p)), `${method} ${p}`).toEqual(normalise(trie.match(method, p)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(7000);
  });

  it("a route table RegExpRouter accepts whole never reaches the TrieRouter", () => {
    const split = new SplitRouter<string>();
    split.add("GET", "/a/:id", "a");
    split.add("GET", "/b/static", "b");
    expect(split.refused).toEqual([]);
    expect(normalise(split.match("GET", "/a/1"))).toEqual([{ handler: "a", params: { id: "1" } }]);
  });

  it("no route may be added after the first match", () => {
    const split = new SplitRouter<string>();
    split.add("GET", "/a", "a");
    split.match("GET", "/a");
    expect(() => split.add("GET", "/b", "b")).toThrow(/after the first match/);
  });
});
