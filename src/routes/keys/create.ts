import { z } from "@hono/zod-openapi";
import { createAuthKey, createOAuthClient, MAX_KEY_EXPIRY_SECONDS } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { invalid } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App, wrongType } from "../define.js";
import { KeySchema, TagSchema, toWireKey } from "./wire.js";

const CreateKeyBody = z
  .object({
    keyType: z.enum(["auth", "client", "api", "federated"], wrongType('must be "auth" or "client"')).optional().openapi({ description: "Absent means `auth`." }),
    capabilities: z
      .object({
        devices: z.object({
          create: z.object({
            reusable: z.boolean().optional(),
            ephemeral: z.boolean().optional(),
            preauthorized: z.boolean().optional(),
            tags: z.array(TagSchema).max(50).nullish(),
          }),
        }),
      })
      .optional(),
    expirySeconds: z
      .number()
      .min(0, "must not be negative")
      .max(MAX_KEY_EXPIRY_SECONDS, `must be at most ${MAX_KEY_EXPIRY_SECONDS} (90 days)`)
      .int("must be a whole number of seconds")
      .nullish()
      .openapi({ description: "Lifetime in seconds; 0 or absent means 90 days (the maximum)." }),
    description: z.string().max(50, "must be at most 50 characters").nullish(),
    scopes: z.array(z.string().max(64)).max(100).nullish().openapi({ description: "keyType client: the OAuth client's scopes." }),
    tags: z.array(TagSchema).max(50).nullish().openapi({ description: "keyType client: tags the client may apply." }),
  })
  .openapi("CreateKeyRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/keys",
  operationId: "createKey",
  tags: ["keys"],
  summary: "Create an auth key or an OAuth client",
  description:
    "Creates an auth key (`keyType` absent or `auth`, scope `auth_keys`) or an OAuth client (`keyType: client`, scope `oauth_keys`). " +
    "The secret `key` is only in this response. A caller may only grant scopes and tags it holds; OAuth clients with " +
    "`devices:core` or `auth_keys` must have tags, and auth keys minted with an OAuth token must carry some of the token's tags.",
  scope: ["auth_keys", "oauth_keys"],
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: CreateKeyBody } } },
  },
  responses: {
    200: { description: "The new key, with its secret.", content: { "application/json": { schema: KeySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet } = c.req.valid("param");
    const body = c.req.valid("json");
    const actor = c.get("actor");
    checkTailnet(actor, tailnet);
    const keyType = body.keyType ?? "auth";
    if (keyType === "api") throw invalid("API access tokens cannot be created through the API; use `tailapi apikeys create`");
    if (keyType !== "auth" && keyType !== "client") throw invalid(`keyType "${keyType}" is not supported`);
    const d = deps(c);
    const description = body.description ?? "";

    if (keyType === "client") {
      if (body.capabilities) throw invalid("capabilities apply to auth keys, not to OAuth clients");
      const { row, secret } = await createOAuthClient(d, actor, { scopes: body.scopes ?? [], tags: body.tags ?? [], description });
      return c.json(toWireKey(row, d.clock.now(), secret), 200);
    }

    if (body.scopes || body.tags) throw invalid("scopes and tags apply to OAuth clients; auth key tags go in capabilities.devices.create.tags");
    const create = body.capabilities?.devices.create;
    const { row, secret } = await createAuthKey(d, actor, {
      reusable: create?.reusable ?? false,
      ephemeral: create?.ephemeral ?? false,
      preauthorized: create?.preauthorized ?? false,
      tags: create?.tags ?? [],
      expirySeconds: body.expirySeconds || MAX_KEY_EXPIRY_SECONDS,
      description,
    });
    return c.json(toWireKey(row, d.clock.now(), secret), 200);
  });
}
