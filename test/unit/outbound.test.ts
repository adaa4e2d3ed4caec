import { describe, expect, it } from "vitest";
import { addressProblem, parseAllowList, urlProblem } from "../../src/lib/outbound.js";
import { signWebhook, verifyWebhookSignature } from "../../src/lib/webhook-signature.js";

describe("the outbound guard", () => {
  it("allows global unicast addresses only, unless the allow-list says otherwise", () => {
    for (const a of ["8.8.8.8", "2606:4700:4700::1111", "93.184.216.34"]) expect(addressProblem(a, []), a).toBeUndefined();
    for (const a of ["127.0.0.1", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "fe80::1", "fd00::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "::ffff:127.0.0.1", "255.255.255.255"]) {
      expect(addressProblem(a, []), a).toMatch(/address; add it to TAILAPI_OUTBOUND_ALLOW/);
    }
    const allow = parseAllowList("127.0.0.0/8,fd00::/8, 10.1.2.3");
    expect(addressProblem("127.8.9.10", allow)).toBeUndefined();
    expect(addressProblem("::ffff:127.0.0.1", allow)).toBeUndefined();
    expect(addressProblem("fd12::1", allow)).toBeUndefined();
    expect(addressProblem("10.1.2.3", allow)).toBeUndefined();
    expect(addressProblem("10.1.2.4", allow)).toMatch(/private/);
  });

  it("checks URLs before any lookup: scheme, credentials, literal and localhost targets", () => {
    expect(urlProblem("https://hooks.example.com/x", [])).toBeUndefined();
    expect(urlProblem("http://hooks.example.com:8080/x", [])).toBeUndefined();
    expect(urlProblem("file:///etc/passwd", [])).toBe("must be an http or https URL");
    expect(urlProblem("not a url", [])).toBe("must be an absolute http(s) URL");
    expect(urlProblem("https://a:b@hooks.example.com", [])).toBe("must not carry credentials");
    expect(urlProblem("http://[::1]:80/", [])).toMatch(/^::1 is a loopback address/);
    expect(urlProblem("http://localhost/", [])).toMatch(/^127\.0\.0\.1 is a loopback address/);
    expect(urlProblem("http://2130706433/", [])).toMatch(/loopback/); // 127.0.0.1 as one number
  });
});

describe("webhook signatures", () => {
  it("signs t.body with HMAC-SHA256 and verifies within five minutes only", () => {
    const h = signWebhook("s3cret", '[{"type":"test"}]', 1_700_000_000);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature("s3cret", '[{"type":"test"}]', h, 1_700_000_100)).toBe(true);
    expect(verifyWebhookSignature("s3cret", '[{"type":"tesT"}]', h, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature("other", '[{"type":"test"}]', h, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature("s3cret", '[{"type":"test"}]', h, 1_700_000_400)).toBe(false);
  });
});
