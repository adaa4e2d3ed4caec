import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { addressProblem, checkOutboundUrl, guardedLookup, OutboundRefused, validateAllowList } from "../../src/lib/outbound.js";

/** A resolver that answers from a table: no request leaves the machine in these tests. */
const table = (map: Record<string, string[]>) => async (host: string) => {
  if (!(host in map)) throw new Error("ENOTFOUND");
  return map[host]!;
};
const stubLookup = (map: Record<string, string[]>) =>
  ((host: string, _opts: unknown, cb: (err: Error | null, addrs: LookupAddress[]) => void) => {
    const list = map[host];
    if (!list) return cb(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }), []);
    cb(null, list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
  }) as never;

describe("outbound guard", () => {
  it.each([
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd7a:115c:a1e0::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "2001:db8::1",
  ])("refuses %s", (a) => {
    expect(addressProblem(a)).toMatch(/ is a \w+ address$/);
  });

  it.each(["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b::808:808"])("allows the public address %s", (a) => {
    expect(addressProblem(a)).toBeUndefined();
  });

  it("an allow-list in the configuration opens CIDRs, addresses and host names", () => {
    const policy = { allow: ["10.0.0.0/8", "fd00::/8", "127.0.0.1"] };
    expect(addressProblem("10.9.8.7", policy)).toBeUndefined();
    expect(addressProblem("fd12::1", policy)).toBeUndefined();
    expect(addressProblem("127.0.0.1", policy)).toBeUndefined();
    expect(addressProblem("127.0.0.2", policy)).toMatch(/loopback/);
    expect(addressProblem("192.168.0.1", policy)).toMatch(/private/);
    expect(validateAllowList(["10.0.0.0/8", "hooks.internal", "::1"])).toBeUndefined();
    expect(validateAllowList(["10.0.0.0/99"])).toMatch(/not a valid CIDR/);
    expect(validateAllowList(["not a host!"])).toMatch(/not a CIDR/);
  });

  it("checks a URL: scheme, credentials, and every address its host resolves to", async () => {
    const dns = table({ "hooks.example.com": ["93.184.216.34"], "evil.example.com": ["93.184.216.34", "127.0.0.1"], "metadata.example.com": ["169.254.169.254"] });
    expect(await checkOutboundUrl("https://hooks.example.com/x", undefined, dns)).toBeUndefined();
    expect(await checkOutboundUrl("https://evil.example.com/x", undefined, dns)).toMatch(/loopback/);
    expect(await checkOutboundUrl("http://metadata.example.com/latest", undefined, dns)).toMatch(/linkLocal/);
    expect(await checkOutboundUrl("http://127.0.0.1:8080/", undefined, dns)).toMatch(/loopback/);
    expect(await checkOutboundUrl("http://[::1]/", undefined, dns)).toMatch(/loopback/);
    expect(await checkOutboundUrl("http://[::ffff:7f00:1]/", undefined, dns)).toMatch(/loopback/);
    expect(await checkOutboundUrl("ftp://hooks.example.com/", undefined, dns)).toMatch(/http/);
    expect(await checkOutboundUrl("https://u:p@hooks.example.com/", undefined, dns)).toMatch(/user name or password/);
    expect(await checkOutboundUrl("https://nowhere.example.com/", undefined, dns)).toMatch(/does not resolve/);
    expect(await checkOutboundUrl("not a url", undefined, dns)).toMatch(/absolute/);
    expect(await checkOutboundUrl("http://hooks.internal/", { allow: ["hooks.internal"] }, dns)).toBeUndefined();
    expect(await checkOutboundUrl("http://127.0.0.1/", { allow: ["127.0.0.0/8"] }, dns)).toBeUndefined();
  });

  it("checks the address actually connected to (a name that rebinds to loopback is refused at connect time)", async () => {
    const lookup = guardedLookup(undefined, stubLookup({ "rebind.example.com": ["127.0.0.1"], "mixed.example.com": ["10.0.0.1", "93.184.216.34"] }));
    const one = (host: string) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => lookup(host, {}, (err, address) => resolve({ err, address })));
    const rebind = await one("rebind.example.com");
    expect(rebind.err).toBeInstanceOf(OutboundRefused);
    expect(rebind.err!.message).toMatch(/refusing to connect to rebind\.example\.com: 127\.0\.0\.1 is a loopback address/);
    // Only the allowed addresses are handed to the socket.
    expect(await one("mixed.example.com")).toEqual({ err: null, address: "93.184.216.34" });
    const allowed = guardedLookup({ allow: ["rebind.example.com"] }, stubLookup({ "rebind.example.com": ["127.0.0.1"] }));
    expect(await new Promise((r) => allowed("rebind.example.com", {}, (err, address) => r({ err, address })))).toEqual({ err: null, address: "127.0.0.1" });
  });
});
