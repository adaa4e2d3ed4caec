import { describe, expect, it } from "vitest";
import { call, seedTailnet, setupTailnet } from "../helpers.js";

const DNS = "/api/v2/tailnet/-/dns";

describe("DNS", () => {
  it("a new tailnet has no nameservers, no search paths, no split DNS and MagicDNS off", async () => {
    const s = await setupTailnet();
    const get = async (p: string) => (await call(s.app, "GET", `${DNS}/${p}`, { key: s.apiKey })).body;
    expect(await get("nameservers")).toEqual({ dns: [] });
    expect(await get("preferences")).toEqual({ magicDNS: false });
    expect(await get("searchpaths")).toEqual({ searchPaths: [] });
    expect(await get("split-dns")).toEqual({});
    expect(await get("configuration")).toEqual({});
  });

  it("nameservers: replaced, canonical, deduplicated; removing the last one turns MagicDNS off", async () => {
    const s = await setupTailnet();
    const set = (dns: unknown) => call(s.app, "POST", `${DNS}/nameservers`, { key: s.apiKey, body: { dns } });
    expect((await set(["8.8.8.8", "2001:4860:4860:0::8888", "8.8.8.8", "https://dns.example.com/dns-query"])).body).toEqual({
      dns: ["8.8.8.8", "2001:4860:4860::8888", "https://dns.example.com/dns-query"],
      magicDNS: false,
    });
    // MagicDNS needs a nameserver (Tailscale's rule): on now, off when the last one goes.
    expect((await call(s.app, "POST", `${DNS}/preferences`, { key: s.apiKey, body: { magicDNS: true } })).body).toEqual({ magicDNS: true });
    expect((await set(["1.1.1.1"])).body).toEqual({ dns: ["1.1.1.1"], magicDNS: true });
    expect((await set(null)).body).toEqual({ dns: [], magicDNS: false });
    expect((await call(s.app, "GET", `${DNS}/preferences`, { key: s.apiKey })).body).toEqual({ magicDNS: false });
    const on = await call(s.app, "POST", `${DNS}/preferences`, { key: s.apiKey, body: { magicDNS: true } });
    expect(on.status).toBe(400);
    expect(on.body.message).toMatch(/^MagicDNS cannot be enabled without at least one DNS nameserver/);
  });

  it("bad input is a 400 naming the field, and changes nothing", async () => {
    const s = await setupTailnet();
    await call(s.app, "POST", `${DNS}/nameservers`, { key: s.apiKey, body: { dns: ["9.9.9.9"] } });
    await call(s.app, "POST", `${DNS}/searchpaths`, { key: s.apiKey, body: { searchPaths: ["a.example.com"] } });
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "nameservers", { dns: ["8.8.8"] }, /^dns: "8\.8\.8" is not an IP address/],
      ["POST", "nameservers", { dns: ["http://dns.example.com"] }, /^dns: /],
      ["POST", "nameservers", { dns: "8.8.8.8" }, /^invalid dns: /],
      ["POST", "nameservers", {}, /^dns is required$/],
      ["POST", "preferences", { magicDNS: "yes" }, /^invalid magicDNS: /],
      ["POST", "preferences", {}, /^magicDNS is required$/],
      ["POST", "searchpaths", { searchPaths: ["bad domain"] }, /^searchPaths: "bad domain" is not a valid domain name$/],
      ["POST", "searchpaths", { searchPaths: ["-x.example.com"] }, /^searchPaths: /],
      ["PATCH", "split-dns", { "ok.example.com": ["not-an-ip"] }, /^ok\.example\.com: "not-an-ip" is not an IP address/],
      ["PATCH", "split-dns", { "bad_domain..com": ["1.1.1.1"] }, /is not a valid domain name$/],
      ["PUT", "split-dns", { "x.example.com": "1.1.1.1" }, /^invalid x\.example\.com: /],
      ["POST", "configuration", { nameservers: [{ address: "nope" }] }, /^nameservers: /],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await call(s.app, method, `${DNS}/${path}`, { key: s.apiKey, body });
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.message, `${path} ${JSON.stringify(body)}`).toMatch(message);
    }
    expect((await call(s.app, "GET", `${DNS}/configuration`, { key: s.apiKey })).body).toEqual({ nameservers: [{ address: "9.9.9.9" }], searchPaths: ["a.example.com"] });
  });

  it("split DNS: PATCH merges and null removes; PUT replaces; an empty PUT clears", async () => {
    const s = await setupTailnet();
    const split = (method: string, body: unknown) => call(s.app, method, `${DNS}/split-dns`, { key: s.apiKey, body });
    expect((await split("PATCH", { "a.example.com": ["1.1.1.1"], "b.example.com": ["2.2.2.2", "3.3.3.3"] })).body).toEqual({
      "a.example.com": ["1.1.1.1"],
      "b.example.com": ["2.2.2.2", "3.3.3.3"],
    });
    expect((await split("PATCH", { "a.example.com": null, "c.example.com.": ["4.4.4.4"] })).body).toEqual({
      "b.example.com": ["2.2.2.2", "3.3.3.3"],
      "c.example.com": ["4.4.4.4"],
    });
    expect((await split("PUT", { "d.example.com": ["5.5.5.5"], "e.example.com": null })).body).toEqual({ "d.example.com": ["5.5.5.5"] });
    expect((await call(s.app, "GET", `${DNS}/split-dns`, { key: s.apiKey })).body).toEqual({ "d.example.com": ["5.5.5.5"] });
    expect((await split("PUT", {})).body).toEqual({});
  });

  it("configuration: the whole DNS setup at once, read back as the Go client decodes it", async () => {
    const s = await setupTailnet();
    const cfg = {
      nameservers: [{ address: "1.1.1.1", useWithExitNode: true }, { address: "8.8.8.8" }],
      splitDNS: { "corp.example.com": [{ address: "10.0.0.53" }] },
      searchPaths: ["corp.example.com"],
      preferences: { magicDNS: true, overrideLocalDNS: true },
    };
    const r = await call(s.app, "POST", `${DNS}/configuration`, { key: s.apiKey, body: cfg });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual(cfg);
    expect((await call(s.app, "GET", `${DNS}/nameservers`, { key: s.apiKey })).body).toEqual({ dns: ["1.1.1.1", "8.8.8.8"] });
    expect((await call(s.app, "GET", `${DNS}/split-dns`, { key: s.apiKey })).body).toEqual({ "corp.example.com": ["10.0.0.53"] });
    const bad = await call(s.app, "POST", `${DNS}/configuration`, { key: s.apiKey, body: { preferences: { magicDNS: true } } });
    expect(bad.status).toBe(400);
    expect((await call(s.app, "GET", `${DNS}/configuration`, { key: s.apiKey })).body).toEqual(cfg);
  });

  it("another tailnet is 404 like a missing one, and its DNS is untouched", async () => {
    const s = await setupTailnet();
    const other = await seedTailnet();
    for (const [method, path, body] of [
      ["GET", "nameservers", undefined],
      ["POST", "nameservers", { dns: ["1.1.1.1"] }],
      ["PATCH", "split-dns", { "x.example.com": ["1.1.1.1"] }],
    ] as const) {
      const r = await call(s.app, method, `/api/v2/tailnet/${other.tailnet.name}/dns/${path}`, { key: s.apiKey, body });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ message: "not found" });
    }
    expect((await call(s.app, "GET", `${DNS}/nameservers`, { key: other.apiKey })).body).toEqual({ dns: [] });
  });
});
