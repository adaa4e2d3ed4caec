import { serve, type ServerType } from "@hono/node-server";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../examples/oauth-client.js";
import { createOAuthClient, registerDevice, setupTailnet } from "../helpers.js";

/** A stock OAuth 2.0 client (oauth4webapi) against the server over real HTTP: nothing discovered, client credentials, then API calls. */
describe("oauth4webapi end to end", () => {
  let s: Awaited<ReturnType<typeof setupTailnet>>;
  let server: ServerType;
  let base: string;

  beforeAll(async () => {
    s = await setupTailnet();
    await new Promise<void>((resolve) => {
      server = serve({ fetch: s.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
        base = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("gets a token with client_secret_basic and lists, reads and mints with it", async () => {
    const { device } = await registerDevice(s.app, s.authKey, { hostname: "oauth-e2e" });
    const client = await createOAuthClient(s.app, s.apiKey, ["devices:core", "auth_keys"], ["tag:ci"]);
    const session = await connect(base, client.id, client.secret, "devices:core:read auth_keys", "tag:ci");
    expect(session.scope).toBe("devices:core:read auth_keys");
    const list = await session.call("GET", "/api/v2/tailnet/-/devices");
    expect(list.status).toBe(200);
    expect(((await list.json()) as any).devices.map((d: any) => d.nodeId)).toEqual([device.nodeId]);
    const one = await session.call("GET", `/api/v2/device/${device.id}`);
    expect(((await one.json()) as any).hostname).toBe("oauth-e2e");
    const key = await session.call("POST", "/api/v2/tailnet/-/keys", { capabilities: { devices: { create: { tags: ["tag:ci"] } } } });
    expect(key.status).toBe(200);
    expect(((await key.json()) as any).capabilities.devices.create.tags).toEqual(["tag:ci"]);
  });

  it("gets a token with client_secret_post too", async () => {
    const client = await createOAuthClient(s.app, s.apiKey, ["devices:core:read"], []);
    const as = { issuer: base, token_endpoint: `${base}/api/v2/oauth/token` };
    const res = await oauth.clientCredentialsGrantRequest(as, { client_id: client.id }, oauth.ClientSecretPost(client.secret), new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true,
    });
    const result = await oauth.processClientCredentialsResponse(as, { client_id: client.id }, res);
    expect(result.token_type).toBe("bearer");
    expect(result.expires_in).toBe(3600);
  });

  it("reports a wrong secret as a standard OAuth error", async () => {
    const client = await createOAuthClient(s.app, s.apiKey, ["devices:core:read"], []);
    const err = await connect(base, client.id, client.secret.slice(0, -2) + (client.secret.endsWith("zz") ? "yy" : "zz")).catch((e: unknown) => e);
    // RFC 6749 §5.2: a 401 with a Basic challenge (the client authenticated with Basic) and an invalid_client body.
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const e = err as oauth.WWWAuthenticateChallengeError;
    expect(e.status).toBe(401);
    expect(e.cause[0]?.scheme).toBe("basic");
    expect(await e.response.json()).toMatchObject({ error: "invalid_client" });
  });
});
