import { readFile } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { call, setupTailnet } from "../helpers.js";
import { CASES } from "./cases.js";

/**
 * Every operation of Tailscale's official document in the groups this server
 * covers beyond devices and keys exists here, and its 2xx answer validates
 * against the official schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).
 * The document lives beside the repository (../shared); a clone on its own
 * skips, and says so.
 */
const OFFICIAL_PATH = new URL("../fixtures/tailscale-openapi.yaml", import.meta.url);
const official = parse(await readFile(OFFICIAL_PATH, "utf8"));
const TAGS = new Set(["DNS", "Logging", "DevicePosture", "Contacts", "Webhooks", "TailnetSettings"]);

type Op = { id: string; method: string; path: string; responses: Record<string, any> };
const ops: Op[] = [];
for (const [path, item] of Object.entries<any>(official?.paths ?? {})) {
  for (const [method, op] of Object.entries<any>(item)) {
    if (op?.operationId && (op.tags ?? []).some((t: string) => TAGS.has(t))) ops.push({ id: op.operationId, method, path, responses: op.responses });
  }
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: "tailscale", components: official.components });
/** The official schema with its `#/components/…` references pointed at the registered document. */
const bind = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"tailscale#/components/'));

describe("Tailscale's documented schemas", () => {
  it("covers the groups' operations (31 in the 2024 document)", () => {
    expect(ops.length).toBeGreaterThanOrEqual(31);
    expect(ops.filter((o) => !CASES[o.id]).map((o) => o.id)).toEqual([]);
  });

  for (const op of ops) {
    it(`${op.id}: ${op.method.toUpperCase()} ${op.path} answers a documented 2xx with the documented body`, async () => {
      const f = await setupTailnet();
      const req = await CASES[op.id]![0]!.request(f);
      expect(req.method).toBe(op.method.toUpperCase());
      const res = await call(f.app, req.method, req.path, { key: f.apiKey, body: req.body });
      const documented = op.responses[String(res.status)];
      expect(documented, `${op.id} answered ${res.status}: ${res.text}`).toBeTruthy();
      const schema = documented.content?.["application/json"]?.schema;
      if (!schema) return;
      const validate = ajv.compile(bind(schema) as object);
      expect(validate(res.body), `${op.id}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
    });
  }
});
