/**
 * The 500s fuzzing found, one by one: strings PostgreSQL cannot store, and
 * token claims trusted before the signature check. Each is now a 4xx naming
 * the field, and changes nothing.
 */
import { SignJWT, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { call, registerBody, setupTailnet, testSql } from "../helpers.js";

async function keyCount(tailnetId: string): Promise<number> {
  const [r] = await testSql().unsafe(`SELECT count(*)::int AS n FROM keys WHERE tailnet_id = $1`, [tailnetId]);
  return (r as unknown as { n: number }).n;
}

describe("strings PostgreSQL cannot store", () => {
  it.each([
    ["GET", "/api/v2/device/%00", "deviceId"],
    ["DELETE", "/api/v2/device/ab%00cd", "deviceId"],
    ["GET", "/api/v2/tailnet/-/keys/%00", "keyId"],
    ["DELETE", "/api/v2/tailnet/-/keys/k%00", "keyId"],
    ["GET", "/api/v2/tailnet/%00/devices", "tailnet"],
  ])("%s %s → 400 naming %s", async (method, path, field) => {
    const f = await setupTailnet();
    const res = await call(f.app, method, path, { key: f.apiKey });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(new RegExp(`^invalid ${field}: must (not contain NUL|be valid Unicode)`));
  });

  it("a NUL in a body string is a 400 naming the field, and nothing is created", async () => {
    const f = await setupTailnet();
    const before = await keyCount(f.tailnet.tailnetId);
    const res = await call(f.app, "POST", "/api/v2/tailnet/-/keys", { key: f.apiKey, body: { description: "a\u0000b" } });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toEqual({ message: "invalid description: must not contain NUL characters" });
    const reg = await call(f.app, "POST", "/machine/register", { body: { ...registerBody(f.authKey), osVersion: "\u0000" } });
    expect(reg.status, reg.text).toBe(400);
    expect(reg.body).toEqual({ message: "invalid osVersion: must not contain NUL characters" });
    const lone = await call(f.app, "POST", "/machine/register", { rawBody: JSON.stringify({ ...registerBody(f.authKey), hostname: "x" }).replace('"x"', '"\\ud800"'), headers: { "content-type": "application/json" } });
    expect(lone.status, lone.text).toBe(400);
    expect(lone.body.message).toMatch(/^invalid hostname: must be valid Unicode/);
    expect(await keyCount(f.tailnet.tailnetId)).toBe(before);
  });

  it("a NUL in a device-list filter value is a 400", async () => {
    const f = await setupTailnet();
    const res = await call(f.app, "GET", "/api/v2/tailnet/-/devices?hostname=%00", { key: f.apiKey });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(/^invalid (value for filter "hostname"|hostname): must not contain NUL characters$/);
    // Bytes that are not UTF-8 stay percent-encoded: an unknown id, not an error.
    const bad = await call(f.app, "GET", "/api/v2/device/%ED%A0%80", { key: f.apiKey });
    expect(bad.status).toBe(404);
  });
});

describe("token claims are not trusted before the signature verifies", () => {
  const forge = async (payload: Record<string, unknown>, kid: string) => {
    const { privateKey } = await generateKeyPair("Ed25519");
    return new SignJWT(payload).setProtectedHeader({ alg: "Ed25519", typ: "at+jwt", kid }).setIssuer("tailapi").setSubject("kX").setIssuedAt().setExpirationTime("1h").sign(privateKey);
  };
  it.each([
    ["tid out of bigint range", { tid: "99999999999999999999", scp: ["all"], tags: [] }, "abc"],
    ["tid just past bigint", { tid: "9223372036854775808", scp: ["all"], tags: [] }, "abc"],
    ["tid with a leading zero", { tid: "0123", scp: ["all"], tags: [] }, "abc"],
    ["kid with a NUL", { tid: "123", scp: ["all"], tags: [] }, "a\u0000b"],
    ["kid of 10 kB", { tid: "123", scp: ["all"], tags: [] }, "k".repeat(10_000)],
  ])("%s → 401", async (_name, payload, kid) => {
    const f = await setupTailnet();
    const token = await forge(payload, kid);
    for (const path of ["/api/v2/tailnet/-/devices", "/api/v2/tailnet/-/keys", "/api/v2/device/n1"]) {
      const res = await call(f.app, "GET", path, { bearer: token });
      expect(res.status, `${path}: ${res.text}`).toBe(401);
      expect(res.body).toEqual({ message: "API token invalid" });
    }
  });
});
