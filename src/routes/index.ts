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
import * as dnsNameserversGet from "./dns/nameservers-get.js";
import * as dnsNameserversSet from "./dns/nameservers-set.js";
import * as dnsPreferencesGet from "./dns/preferences-get.js";
import * as dnsPreferencesSet from "./dns/preferences-set.js";
import * as dnsSearchPathsGet from "./dns/searchpaths-get.js";
import * as dnsSearchPathsSet from "./dns/searchpaths-set.js";
import * as dnsSplitGet from "./dns/split-get.js";
import * as dnsSplitUpdate from "./dns/split-update.js";
import * as dnsSplitSet from "./dns/split-set.js";
import * as dnsConfigurationGet from "./dns/configuration-get.js";
import * as dnsConfigurationSet from "./dns/configuration-set.js";
import * as settingsGet from "./settings/get.js";
import * as settingsUpdate from "./settings/update.js";
import * as contactsGet from "./contacts/get.js";
import * as contactUpdate from "./contacts/update.js";
import * as contactResend from "./contacts/resend.js";
import * as webhookList from "./webhooks/list.js";
import * as webhookCreate from "./webhooks/create.js";
import * as webhookGet from "./webhooks/get.js";
import * as webhookUpdate from "./webhooks/update.js";
import * as webhookDelete from "./webhooks/delete.js";
import * as webhookTest from "./webhooks/test.js";
import * as webhookRotate from "./webhooks/rotate.js";
import * as auditLogList from "./logging/audit-list.js";
import * as networkLogList from "./logging/network.js";
import * as logStreamGet from "./logging/stream-get.js";
import * as logStreamSet from "./logging/stream-set.js";
import * as logStreamDelete from "./logging/stream-delete.js";
import * as logStreamStatus from "./logging/stream-status.js";
import * as postureList from "./posture/list.js";
import * as postureCreate from "./posture/create.js";
import * as postureGet from "./posture/get.js";
import * as postureUpdate from "./posture/update.js";
import * as postureDelete from "./posture/delete.js";
import * as oauthToken from "./oauth/token.js";
import * as policyGet from "./policy/get.js";
import * as policySet from "./policy/set.js";
import * as policyPreview from "./policy/preview.js";
import * as policyValidate from "./policy/validate.js";
import * as authKeyCreate from "./authkeys/create.js";
import * as authKeyExpire from "./authkeys/expire.js";
import * as authKeyList from "./authkeys/list.js";
import * as userInviteAccept from "./user-invites/accept.js";
import * as userInviteCreate from "./user-invites/create.js";
import * as userInviteDelete from "./user-invites/delete.js";
import * as userInviteGet from "./user-invites/get.js";
import * as userInviteList from "./user-invites/list.js";
import * as userInvitePage from "./user-invites/page.js";
import * as userInviteResend from "./user-invites/resend.js";
import * as tailnetImport from "./transfer/import.js";
import * as registrationApprove from "./registrations/approve.js";
import * as registrationPage from "./registrations/page.js";
import * as userApprove from "./users/approve.js";
import * as userCreate from "./users/create.js";
import * as userDelete from "./users/delete.js";
import * as userGet from "./users/get.js";
import * as userList from "./users/list.js";
import * as userRename from "./users/rename.js";
import * as userRestore from "./users/restore.js";
import * as userRole from "./users/role.js";
import * as userSuspend from "./users/suspend.js";

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
  policyPreview,
  userList,
  userGet,
  userRole,
  userApprove,
  userSuspend,
  userRestore,
  userDelete,
  userCreate,
  userRename,
  userInviteList,
  userInviteCreate,
  userInviteGet,
  userInviteDelete,
  userInviteResend,
  userInviteAccept,
  userInvitePage,
  authKeyList,
  authKeyCreate,
  authKeyExpire,
  registrationApprove,
  tailnetImport,
  oauthToken,
  machineRegister,
  machineUpdate,
  registrationPage,
  dnsNameserversGet,
  dnsNameserversSet,
  dnsPreferencesGet,
  dnsPreferencesSet,
  dnsSearchPathsGet,
  dnsSearchPathsSet,
  dnsSplitGet,
  dnsSplitUpdate,
  dnsSplitSet,
  dnsConfigurationGet,
  dnsConfigurationSet,
  settingsGet,
  settingsUpdate,
  contactsGet,
  contactUpdate,
  contactResend,
  webhookList,
  webhookCreate,
  webhookGet,
  webhookUpdate,
  webhookDelete,
  webhookTest,
  webhookRotate,
  auditLogList,
  networkLogList,
  logStreamGet,
  logStreamSet,
  logStreamDelete,
  logStreamStatus,
  postureList,
  postureCreate,
  postureGet,
  postureUpdate,
  postureDelete,
];

export function registerRoutes(app: App): void {
  for (const m of ROUTES) m.register(app);
}
