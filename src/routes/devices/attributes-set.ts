import { z } from "@hono/zod-openapi";
import { setPostureAttribute } from "../../domain/posture.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { AttributeKeyParam, AttributeWriteSchema, PostureAttributesSchema } from "./wire.js";

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/attributes/{attributeKey}",
  operationId: "setCustomDevicePostureAttributes",
  tags: ["devices"],
  summary: "Set a custom posture attribute",
  description:
    "Sets a `custom:` attribute (keys of at most 50 letters, digits, `_` and `:`, unique in the tailnet regardless of case). " +
    "The first value written for a key fixes its type (string, number or boolean) for the tailnet. Strings hold at most 50 " +
    "letters, digits, `_` and `.`; numbers are integers within ±(2^53−1). `expiry` (RFC 3339; Go's zero time means none) " +
    "removes the attribute when it passes. Owners, admins and OAuth tokens only.",
  scope: "devices:posture_attributes",
  request: {
    params: z.object({ deviceId: DeviceIdParam, attributeKey: AttributeKeyParam }),
    body: { required: true, content: { "application/json": { schema: AttributeWriteSchema } } },
  },
  responses: {
    200: { description: "The device's posture attributes after the change.", content: { "application/json": { schema: PostureAttributesSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { deviceId, attributeKey } = c.req.valid("param");
    return c.json(await setPostureAttribute(deps(c), c.get("actor"), deviceId, attributeKey, c.req.valid("json")), 200);
  });
}
