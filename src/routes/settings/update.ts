import { z } from "@hono/zod-openapi";
import { FIELD_SCOPES, updateSettings, type SettingsPatch } from "../../domain/settings.js";
import { deps } from "../../http/context.js";
import { errorResponses } from "../../http/errors.js";
import { checkTailnet, defineRoute, TailnetParam, type App } from "../define.js";
import { TailnetSettingsPatch, TailnetSettingsSchema } from "./wire.js";

const SCOPES = [...new Set(Object.values(FIELD_SCOPES))];

export const route = defineRoute({
  method: "patch",
  path: "/api/v2/tailnet/{tailnet}/settings",
  operationId: "updateTailnetSettings",
  tags: ["tailnet settings"],
  summary: "Update tailnet settings",
  description:
    "Changes the fields given (absent or `null` fields stay). Each field is written under its own scope: " +
    Object.entries(FIELD_SCOPES)
      .map(([f, s]) => `\`${f}\` ${s}`)
      .join(", ") +
    ". Taking effect: `devicesApprovalOn` and `devicesKeyDurationDays` for devices registered from then on; " +
    "`aclsExternallyManagedOn` refuses policy file writes through the API. The others are stored and returned.",
  scope: SCOPES,
  request: {
    params: z.object({ tailnet: TailnetParam }),
    body: { required: true, content: { "application/json": { schema: TailnetSettingsPatch } } },
  },
  responses: {
    200: { description: "The settings, as they now are.", content: { "application/json": { schema: TailnetSettingsSchema } } },
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const actor = c.get("actor");
    checkTailnet(actor, c.req.valid("param").tailnet);
    const body = c.req.valid("json");
    const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined)) as SettingsPatch;
    return c.json(await updateSettings(deps(c), actor, patch), 200);
  });
}
