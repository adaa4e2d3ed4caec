import { z } from "@hono/zod-openapi";
import { acceptDeviceInvite } from "../../domain/sharing.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { defineRoute, type App } from "../define.js";

const Person = z.object({ id: z.string(), displayName: z.string(), loginName: z.string(), profilePicURL: z.string() });

const AcceptResponse = z
  .object({
    device: z.object({
      id: z.string().openapi({ description: "The device's nodeId." }),
      os: z.string(),
      name: z.string(),
      fqdn: z.string(),
      ipv4: z.string(),
      ipv6: z.string(),
      includeExitNode: z.boolean(),
    }),
    sharer: Person,
    acceptedBy: Person,
  })
  .openapi("AcceptDeviceInviteResponse");

export const route = defineRoute({
  method: "post",
  path: "/api/v2/device-invites/-/accept",
  operationId: "acceptDeviceInvite",
  tags: ["device invites"],
  summary: "Accept a device invite",
  description:
    "A user of another tailnet accepts an invite (its URL or code): the device then appears in their tailnet's device list " +
    "with `isExternal: true`, read-only. A single-use invite is accepted once. Needs a user's API key.",
  scope: "device_invites",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ invite: z.string().min(1).max(512).openapi({ example: "3bJQ2dw7XwVgOqFa0QkKl3J8PzTmRcYu" }) }).openapi("AcceptDeviceInviteRequest") } },
    },
  },
  responses: {
    200: { description: "The shared device, who shared it, and who accepted it.", content: { "application/json": { schema: AcceptResponse } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const a = await acceptDeviceInvite(deps(c), c.get("actor"), c.req.valid("json").invite);
    const person = (p: { id: string; displayName: string; loginName: string }) => ({ id: p.id, displayName: p.displayName, loginName: p.loginName, profilePicURL: "" });
    return c.json(
      {
        device: {
          id: a.device.nodeId,
          os: a.device.os,
          name: a.device.name,
          fqdn: `${a.device.name}.${a.device.dnsSuffix}`,
          ipv4: a.device.ipv4,
          ipv6: a.device.ipv6,
          includeExitNode: a.includeExitNode,
        },
        sharer: person(a.sharer),
        acceptedBy: person(a.acceptedBy),
      },
      200,
    );
  });
}
