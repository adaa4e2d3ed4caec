/**
 * Client-credentials OAuth against tailapi with a stock OAuth library
 * (oauth4webapi), exactly as against api.tailscale.com:
 *
 *   TAILAPI_URL=http://127.0.0.1:8080 \
 *   OAUTH_CLIENT_ID=k…CNTRL OAUTH_CLIENT_SECRET=tskey-client-… \
 *   npx tsx examples/oauth-client.ts
 *
 * It gets an access token (scopes and tags of the client unless OAUTH_SCOPE /
 * OAUTH_TAGS narrow them), lists the tailnet's devices, reads one, and — when
 * the token has auth_keys and a tag — mints a tagged auth key.
 */
import * as oauth from "oauth4webapi";

export type Session = { token: string; scope: string; call: (method: string, path: string, body?: unknown) => Promise<Response> };

/** Runs the client-credentials grant and returns an authorised fetch helper. */
export async function connect(baseUrl: string, clientId: string, clientSecret: string, scope?: string, tags?: string): Promise<Session> {
  const as: oauth.AuthorizationServer = { issuer: baseUrl, token_endpoint: `${baseUrl}/api/v2/oauth/token` };
  const client: oauth.Client = { client_id: clientId };
  const params = new URLSearchParams();
  if (scope) params.set("scope", scope);
  if (tags) params.set("tags", tags); // Tailscale's extension: narrow the token's tags
  const insecure = baseUrl.startsWith("http://") ? { [oauth.allowInsecureRequests]: true } : {};
  const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(clientSecret), params, insecure);
  const result = await oauth.processClientCredentialsResponse(as, client, response);
  const token = result.access_token;
  return {
    token,
    scope: result.scope ?? "",
    call: (method, path, body) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

async function main() {
  const base = (process.env.TAILAPI_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
  const id = process.env.OAUTH_CLIENT_ID;
  const secret = process.env.OAUTH_CLIENT_SECRET;
  if (!id || !secret) throw new Error("set OAUTH_CLIENT_ID and OAUTH_CLIENT_SECRET");
  const s = await connect(base, id, secret, process.env.OAUTH_SCOPE, process.env.OAUTH_TAGS);
  console.log(`token scopes: ${s.scope}`);

  const list = await s.call("GET", "/api/v2/tailnet/-/devices");
  const { devices } = (await list.json()) as { devices: { nodeId: string; name: string }[] };
  console.log(`${devices.length} devices`);
  if (devices[0]) {
    const one = await s.call("GET", `/api/v2/device/${devices[0].nodeId}?fields=all`);
    console.log("first device:", await one.json());
  }
  const tag = process.env.OAUTH_TAGS?.split(" ")[0];
  if (tag && s.scope.split(" ").includes("auth_keys")) {
    const key = await s.call("POST", "/api/v2/tailnet/-/keys", {
      capabilities: { devices: { create: { reusable: false, ephemeral: true, preauthorized: true, tags: [tag] } } },
      expirySeconds: 3600,
      description: "from examples/oauth-client.ts",
    });
    console.log("auth key:", await key.json());
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
