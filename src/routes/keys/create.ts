import { z } from "@hono/zod-openapi";
import { grants } from "../../auth/scopes.js";
import { createAuthKey, MAX_KEY_EXPIRY_SECONDS } from "../../domain/keys.js";
import { ApiError, badRequest, errorResponses, forbidden } from "../../lib/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { KeySchema, TagSchema, toWireKey } from "./wire.js";

const CreateKeyBody = z
  .object({
    keyType: z.enum(["auth", "client", "api", "federated"]).optional().openapi({ description: "Absent means `auth`." }),
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
      .int()
      .min(0)
      .max(MAX_KEY_EXPIRY_SECONDS)
      .nullish()
      .openapi({ description: "Lifetime in seconds; 0 or absent means 90 days (the maximum)." }),
    description: z.string().max(50).nullish(),
  })
  .openapi("CreateKeyRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/keys",
  operationId: "createKey",
  tags: ["keys"],
  summary: "Create an auth key",
  description: "Creates an auth key (`keyType` absent or `auth`). The secret `key` is only in this response.",
  scope: ["auth_keys"],
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
    const actor = c.var.actor;
    checkTailnet(actor, tailnet);
    const keyType = body.keyType ?? "auth";
    if (keyType === "api") throw badRequest("API access tokens cannot be created through the API; use `tailapi apikeys create`");
    if (keyType !== "auth") throw badRequest(`keyType "${keyType}" is not supported`);
    if (!grants(actor.scopes, "auth_keys")) throw forbidden();
    const create = body.capabilities?.devices.create;
    const { clock, sql } = c.var.services;
    const now = clock.now();
    if (!actor.user) throw new ApiError(403, "only API access tokens can create auth keys for now");
    const { row, secret } = await createAuthKey(
      sql,
      actor.tailnetId,
      { userId: actor.user.id },
      {
        reusable: create?.reusable ?? false,
        ephemeral: create?.ephemeral ?? false,
        preauthorized: create?.preauthorized ?? false,
        tags: create?.tags ?? [],
        expirySeconds: body.expirySeconds || MAX_KEY_EXPIRY_SECONDS,
        description: body.description ?? "",
      },
      now,
    );
    return c.json(toWireKey(row, now, secret), 200);
  });
}
