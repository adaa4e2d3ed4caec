import { z } from "@hono/zod-openapi";
import { setDeviceTags } from "../../domain/devices.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { TagSchema } from "../keys/wire.js";
import { defineRoute, DeviceIdParam, type App } from "../define.js";
import { EmptySchema } from "./wire.js";

const SetTagsBody = z
  .object({
    tags: z
      .array(TagSchema)
      .max(50, "must have at most 50 tags")
      .nullable()
      .openapi({ description: "The device's tags (full replacement; `null` means none).", example: ["tag:server", "tag:prod"] }),
  })
  .openapi("SetDeviceTagsRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device/{deviceId}/tags",
  operationId: "setDeviceTags",
  tags: ["devices"],
  summary: "Set a device's tags",
  description:
    "Replaces the device's tags. Every tag must be defined in the policy's `tagOwners` and owned by the caller, else 400 " +
    "`requested tags [tag:a tag:b] are invalid or not permitted`. A tagged device belongs to its tags; removing every tag " +
    "gives it back to the user who registered it.",
  scope: "devices:core",
  request: {
    params: z.object({ deviceId: DeviceIdParam }),
    body: { required: true, content: { "application/json": { schema: SetTagsBody } } },
  },
  responses: {
    200: { description: "Done.", content: { "application/json": { schema: EmptySchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    await setDeviceTags(deps(c), c.get("actor"), c.req.valid("param").deviceId, c.req.valid("json").tags ?? []);
    return c.json({}, 200);
  });
}
