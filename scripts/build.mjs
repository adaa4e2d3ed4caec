// Compiles src/ to dist/ (what `npm start`, the `tailapi` command and the Docker image run) and
// copies the SQL migrations and the console's assets beside the compiled code. With --if-possible (npm's postinstall), a
// production install without TypeScript skips it: the Docker image copies a dist built earlier.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  if (process.argv.includes("--if-possible")) {
    console.log("tailapi: TypeScript is not installed (a production install); dist/ is not rebuilt");
    process.exit(0);
  }
  throw new Error("TypeScript is not installed: run `npm ci` first");
}
rmSync(`${root}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
cpSync(`${root}/src/db/migrations`, `${root}/dist/db/migrations`, { recursive: true });
// The console's stylesheet, script and icon are files it serves as they are.
cpSync(`${root}/src/console/assets`, `${root}/dist/console/assets`, { recursive: true });
if (!existsSync(`${root}/dist/cli.js`)) throw new Error("build produced no dist/cli.js");
console.log("tailapi: built dist/");
