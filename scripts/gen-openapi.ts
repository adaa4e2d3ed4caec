// Writes openapi.yaml from the route definitions (`npm run openapi`).
// test/routes/openapi.test.ts fails when the checked-in file is stale.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { renderOpenApiYaml } from "../src/openapi.js";

const out = fileURLToPath(new URL("../openapi.yaml", import.meta.url));
await writeFile(out, renderOpenApiYaml());
console.log(`wrote ${out}`);
