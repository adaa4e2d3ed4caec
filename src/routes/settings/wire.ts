import { z } from "@hono/zod-openapi";
import { JOIN_ROLES, ROUTE_SELECTIONS } from "../../domain/settings.js";

export const TailnetSettingsSchema = z
  .object({
    aclsExternallyManagedOn: z.boolean().openapi({ description: "Whether the policy file is managed outside the API (writes through the API are refused)." }),
    aclsExternalLink: z.string().openapi({ description: "Where the policy file is managed." }),
    devicesApprovalOn: z.boolean().openapi({ description: "Whether new devices need approval (unless their auth key is preauthorized)." }),
    devicesAutoUpdatesOn: z.boolean(),
    devicesKeyDurationDays: z.number().int().min(1).max(180).openapi({ description: "Key expiry of newly registered devices, in days." }),
    usersApprovalOn: z.boolean(),
    usersRoleAllowedToJoinExternalTailnets: z.enum(JOIN_ROLES),
    networkFlowLoggingOn: z.boolean().openapi({ description: "Stored only: tailapi collects no flow logs." }),
    regionalRoutingOn: z.boolean().openapi({ description: "Deprecated by routeSelection; true when routeSelection is a regional one." }),
    postureIdentityCollectionOn: z.boolean(),
    httpsEnabled: z.boolean(),
    routeSelection: z.enum(ROUTE_SELECTIONS),
  })
  .openapi("TailnetSettings");

/** Every field optional; `null` (which the Go client sends for unset pointers) means "leave as is". */
export const TailnetSettingsPatch = z
  .object({
    aclsExternallyManagedOn: z.boolean().nullish(),
    aclsExternalLink: z
      .string()
      .max(2048, "must be at most 2048 characters")
      .refine((v) => v === "" || /^https?:\/\/\S+$/.test(v), "must be an http(s) URL or empty")
      .nullish(),
    devicesApprovalOn: z.boolean().nullish(),
    devicesAutoUpdatesOn: z.boolean().nullish(),
    devicesKeyDurationDays: z.number().int("must be a whole number of days").min(1, "must be at least 1").max(180, "must be at most 180").nullish(),
    usersApprovalOn: z.boolean().nullish(),
    usersRoleAllowedToJoinExternalTailnets: z.enum(JOIN_ROLES, { message: `must be one of ${JOIN_ROLES.join(", ")}` }).nullish(),
    networkFlowLoggingOn: z.boolean().nullish(),
    regionalRoutingOn: z.boolean().nullish(),
    postureIdentityCollectionOn: z.boolean().nullish(),
    httpsEnabled: z.boolean().nullish(),
    routeSelection: z.enum(ROUTE_SELECTIONS, { message: `must be one of ${ROUTE_SELECTIONS.join(", ")}` }).nullish(),
  })
  .openapi("UpdateTailnetSettingsRequest");
