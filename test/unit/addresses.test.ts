import { describe, expect, it } from "vitest";
import ipaddr from "ipaddr.js";
import { isAssignableIPv4, randomIPv4, randomIPv6 } from "../../src/domain/addresses.js";
import { dnsLabel, uniqueName } from "../../src/domain/registration.js";
import { canonicalCidr } from "../../src/domain/subnets.js";

describe("addresses", () => {
  it("draws IPv4 from 100.64.0.0/10 outside the reserved ranges", () => {
    for (let i = 0; i < 2000; i++) {
      const a = randomIPv4();
      expect(isAssignableIPv4(a)).toBe(true);
      expect(ipaddr.IPv4.parse(a).match(ipaddr.parseCIDR("100.64.0.0/10"))).toBe(true);
    }
  });
  it.each([
    ["100.64.0.1", true],
    ["100.127.255.254", true],
    ["100.100.100.100", false],
    ["100.115.92.5", false],
    ["100.115.93.255", false],
    ["100.128.0.1", false],
    ["10.0.0.1", false],
    ["100.64.0.0", false],
    ["100.64.1", false],
    ["fd7a:115c:a1e0::1", false],
  ])("isAssignableIPv4(%s) = %s", (a, ok) => expect(isAssignableIPv4(a)).toBe(ok));
  it("draws IPv6 from fd7a:115c:a1e0::/48", () => {
    const a = ipaddr.IPv6.parse(randomIPv6());
    expect(a.match(ipaddr.parseCIDR("fd7a:115c:a1e0::/48"))).toBe(true);
  });
});

describe("names", () => {
  it.each([
    ["web", "web"],
    ["Web Server", "web-server"],
    ["my_host.local", "my-host-local"],
    ["---", "device"],
    ["a".repeat(80), "a".repeat(63)],
  ])("dnsLabel(%j) = %j", (h, l) => expect(dnsLabel(h)).toBe(l));
  it("picks web, web-1, web-2 …", () => {
    expect(uniqueName("web", [])).toBe("web");
    expect(uniqueName("web", ["web"])).toBe("web-1");
    expect(uniqueName("web", ["web", "web-1", "web-3"])).toBe("web-2");
  });
});

describe("canonicalCidr", () => {
  it.each([
    ["10.0.0.0/16", "10.0.0.0/16"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["::/0", "::/0"],
    ["fd00:0::/64", "fd00::/64"],
    ["192.168.1.0/24", "192.168.1.0/24"],
  ])("%s → %s", (a, b) => expect(canonicalCidr(a)).toBe(b));
  it.each(["10.0.0.1/16", "10.0.0.0", "10.0.0.0/33", "banana", "10.0.0.0/-1", "1.2.3/24", ""])("rejects %j", (a) =>
    expect(canonicalCidr(a)).toBeUndefined(),
  );
});
