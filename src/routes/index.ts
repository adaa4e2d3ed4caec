import type { RouteConfig } from "@hono/zod-openapi";
import type { App } from "./define.js";
import * as deviceAttributesBatch from "./devices/attributes-batch.js";
import * as deviceAttributesDelete from "./devices/attributes-delete.js";
import * as deviceAttributesGet from "./devices/attributes-get.js";
import * as deviceAttributesSet from "./devices/attributes-set.js";
import * as deviceAuthorized from "./devices/authorized.js";
import * as deviceDelete from "./devices/delete.js";
import * as deviceExpire from "./devices/expire.js";
import * as deviceGet from "./devices/get.js";
import * as deviceIp from "./devices/ip.js";
import * as deviceKey from "./devices/key.js";
import * as deviceList from "./devices/list.js";
import * as deviceName from "./devices/name.js";
import * as deviceRoutesGet from "./devices/routes-get.js";
import * as deviceRoutesSet from "./devices/routes-set.js";
import * as deviceTags from "./devices/tags.js";
import * as inviteAccept from "./invites/accept.js";
import * as inviteCreate from "./invites/create.js";
import * as inviteDelete from "./invites/delete.js";
import * as inviteGet from "./invites/get.js";
import * as inviteList from "./invites/list.js";
import * as inviteResend from "./invites/resend.js";
import * as keyCreate from "./keys/create.js";
import * as keyDelete from "./keys/delete.js";
import * as keyGet from "./keys/get.js";
import * as keyList from "./keys/list.js";
import * as keyUpdate from "./keys/update.js";
import * as machineRegister from "./machine/register.js";
import * as machineUpdate from "./machine/update.js";
import * as oauthToken from "./oauth/token.js";
import * as policyGet from "./policy/get.js";
import * as policySet from "./policy/set.js";
import * as policyValidate from "./policy/validate.js";

type RouteModule = { route: RouteConfig & { "x-required-scope"?: unknown }; register(app: App): void };

/** Every route of the server, one module per operation. Adding a route means adding it here. */
export const ROUTES: readonly RouteModule[] = [
  deviceList,
  deviceGet,
  deviceDelete,
  deviceExpire,
  deviceRoutesGet,
  deviceRoutesSet,
  deviceAuthorized,
  deviceName,
  deviceTags,
  deviceKey,
  deviceIp,
  deviceAttributesGet,
  deviceAttributesSet,
  deviceAttributesDelete,
  deviceAttributesBatch,
  inviteList,
  inviteCreate,
  inviteGet,
  inviteDelete,
  inviteResend,
  inviteAccept,
  keyList,
  keyCreate,
  keyGet,
  keyUpdate,
  keyDelete,
  policyGet,
  policySet,
  policyValidate,
  oauthToken,
  machineRegister,
  machineUpdate,
];

export function registerRoutes(app: App): void {
  for (const m of ROUTES) m.register(app);
}
