#!/usr/bin/env node
// Entry point of the `tailapi` command: the compiled CLI (npm's install builds dist/; `npm run build` rebuilds it).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("tailapi: dist/ is missing; run `npm run build` (or `npm ci`, which builds it)\n");
  process.exit(1);
}
await import(cli.href);
