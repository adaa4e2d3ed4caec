import { z } from "@hono/zod-openapi";
import { createUserAuthKey, MAX_KEY_EXPIRY_SECONDS, PREAUTH_DEFAULT_SECONDS } from "../../domain/keys.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { TagSchema } from "../keys/wire.js";
import { AuthKeySchema, toWireAuthKey } from "./wire.js";

const CreateAuthKeyBody = z
  .object({
    user: z.string().min(1).max(256).optional().openapi({ example: "alice", description: "Whose devices it registers: id, login name, or bare name." }),
    reusable: z.boolean().default(false),
    ephemeral: z.boolean().default(false),
    preauthorized: z.boolean().default(true).openapi({ description: "Devices it registers are authorized at once (default true, as headscale's keys)." }),
    tags: z.array(TagSchema).max(50).default([]),
    expirySeconds: z
      .number()
      .int("must be a whole number of seconds")
      .min(1, "must be at least 1")
      .max(MAX_KEY_EXPIRY_SECONDS, `must be at most ${MAX_KEY_EXPIRY_SECONDS} (90 days)`)
      .default(PREAUTH_DEFAULT_SECONDS)
      .openapi({ description: "Lifetime in seconds (default one hour)." }),
    description: z.string().max(50, "must be at most 50 characters").default(""),
  })
  .openapi("CreateAuthKeyRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/auth-keys",
  operationId: "createAuthKeyForUser",
  tags: ["keys"],
  summary: "Create an auth key for a user",
  description:
    "headscale's `preauthkeys create`: an auth key whose devices belong to `user` (single use and valid one hour unless " +
    "said otherwise). With `tags`, its devices are tagged devices; with tags and no `user`, the key belongs to no user and its " +
    "devices are owned by their tags alone (`tagged-devices`). Tags must be defined in tagOwners and owned by the caller. " +
    "Members create keys for themselves only. The secret `key` is only in this response.",
  scope: "auth_keys",
  extension: true,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: CreateAuthKeyBody } } },
  },
  responses: {
    200: { description: "The new key, with its secret.", content: { "application/json": { schema: AuthKeySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    checkTailnet(c.get("actor"), c.req.valid("param").tailnet);
    const d = deps(c);
    const { row, secret, user } = await createUserAuthKey(d, c.get("actor"), c.req.valid("json"));
    return c.json(toWireAuthKey(row, user, d.clock.now(), secret), 200);
  });
}
