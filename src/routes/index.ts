import type { RouteConfig } from "@hono/zod-openapi";
import type { App } from "./define.js";
import * as deviceDelete from "./devices/delete.js";
import * as deviceGet from "./devices/get.js";
import * as deviceList from "./devices/list.js";
import * as keyCreate from "./keys/create.js";
import * as keyDelete from "./keys/delete.js";
import * as keyGet from "./keys/get.js";
import * as keyList from "./keys/list.js";
import * as keyUpdate from "./keys/update.js";
import * as machineRegister from "./machine/register.js";
import * as oauthToken from "./oauth/token.js";

type RouteModule = { route: RouteConfig & { "x-required-scope"?: unknown }; register(app: App): void };

/** Every route of the server, one module per operation. Adding a route means adding it here. */
export const ROUTES: readonly RouteModule[] = [
  deviceList,
  deviceGet,
  deviceDelete,
  keyList,
  keyCreate,
  keyGet,
  keyUpdate,
  keyDelete,
  oauthToken,
  machineRegister,
];

export function registerRoutes(app: App): void {
  for (const m of ROUTES) m.register(app);
}
