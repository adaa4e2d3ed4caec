import { z } from "@hono/zod-openapi";
import { approveRegistration } from "../../domain/registration.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { DeviceSchema, toWireDevice } from "../devices/wire.js";

const ApproveBody = z
  .object({
    user: z
      .string()
      .min(1, "must not be empty")
      .max(256)
      .openapi({ example: "alice", description: "The user who will own the machine: id, login name, or headscale's bare name." }),
  })
  .openapi("ApproveRegistrationRequest");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/tailnet/{tailnet}/registrations/{registrationKey}/approve",
  operationId: "approveRegistration",
  tags: ["devices"],
  summary: "Approve a web registration",
  description:
    "Completes a node's web authentication (headscale's `nodes register --user USER --key KEY`): the device is made at once, " +
    "owned by `user`, authorized. If the node advertised tags, `user` must own every one (tagOwners) and the device is a " +
    "tagged device, owned by its tags. The node collects its node token at its next registration with the same machine key. " +
    "Members may approve registrations for themselves only. 404 for an unknown or expired registration key.",
  scope: "devices:core",
  extension: true,
  request: {
    params: z.object({
      tailnet: TailnetParam,
      registrationKey: z.string().min(1).max(128).openapi({ param: { name: "registrationKey", in: "path" }, example: "3Kq1hV0Zb2x8gQw4mYpR7tNc5LsJ9dEu" }),
    }),
    body: { required: true, content: { "application/json": { schema: ApproveBody } } },
  },
  responses: {
    200: { description: "The device made for the registration.", content: { "application/json": { schema: DeviceSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { tailnet, registrationKey } = c.req.valid("param");
    checkTailnet(c.get("actor"), tailnet);
    const device = await approveRegistration(deps(c), c.get("actor"), registrationKey, c.req.valid("json").user);
    return c.json(toWireDevice(device, false), 200);
  });
}
