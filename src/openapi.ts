import { stringify } from "yaml";
import { buildOpenApiDocument } from "./app.js";

/** openapi.yaml's exact text: generated from the route definitions, checked in, kept in sync by a test. */
export function renderOpenApiYaml(): string {
  return "# Generated from the route definitions by `npm run openapi`. Do not edit by hand.\n" + stringify(buildOpenApiDocument(), { lineWidth: 0 });
}
