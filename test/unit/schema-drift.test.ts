import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeSchema } from "../../src/db/schema.js";
import { freshDatabase, testSql } from "../helpers.js";

const SCHEMA_SQL = fileURLToPath(new URL("../../schema.sql", import.meta.url));

describe("schema.sql", () => {
  it("is the schema the migrations build (run `npm run schema` after adding one)", async () => {
    const checkedIn = await readFile(SCHEMA_SQL, "utf8");
    expect(await describeSchema(testSql())).toBe(checkedIn);
  });

  it("is itself a working schema: applied to an empty database it describes the same", async (ctx) => {
    const db = await freshDatabase(ctx, "tailapi_schema");
    try {
      await db.sql.unsafe(await readFile(SCHEMA_SQL, "utf8"));
      expect(await describeSchema(db.sql)).toBe(await readFile(SCHEMA_SQL, "utf8"));
    } finally {
      await db.drop();
    }
  });
});
