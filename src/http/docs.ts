import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Hono } from "hono";
import type { AppEnv } from "./context.js";

/**
 * The API reference page at /docs: Swagger UI from the pinned `swagger-ui-dist`
 * package, served by this server itself (nothing from a CDN, so it works with
 * no internet), reading /api/v2/openapi.json. No inline script: the page loads
 * its initialiser as a file, so a strict Content-Security-Policy holds.
 */
const dist = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>tailapi API reference</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: "/api/v2/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

export function registerDocs(app: Hono<AppEnv>): void {
  // Read once at start-up: immutable assets of a pinned package.
  const assets: Record<string, { body: string; type: string }> = {
    "swagger-ui.css": { body: readFileSync(path.join(dist, "swagger-ui.css"), "utf8"), type: "text/css; charset=utf-8" },
    "swagger-ui-bundle.js": { body: readFileSync(path.join(dist, "swagger-ui-bundle.js"), "utf8"), type: "text/javascript; charset=utf-8" },
    "init.js": { body: INIT, type: "text/javascript; charset=utf-8" },
  };
  app.get("/docs", (c) => c.html(PAGE, 200, { "Content-Security-Policy": CSP }));
  app.get("/docs/:file", (c) => {
    const asset = assets[c.req.param("file")];
    if (!asset) return c.json({ message: "not found" }, 404);
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=86400" });
  });
}
