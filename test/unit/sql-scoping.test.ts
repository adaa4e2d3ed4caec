/**
 * Every SQL statement in src/db that touches a tailnet-owned table is scoped by
 * tailnet_id: it compares tailnet_id with a parameter (SELECT, UPDATE, DELETE)
 * or writes the column (INSERT ... VALUES). That keeps the schema distributable
 * by tailnet (Citus, docs/scaling.md): such a statement goes to one shard.
 *
 * The few statements that cannot know the tailnet (a credential presented by key
 * id, an invite code, a sweep over every tailnet) say so inside the SQL with a
 * `/* cross-tailnet: <why> *\/` comment; the test lists them, and docs/scaling.md
 * must name each one, so a new one is a decision someone wrote down.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const DB_DIR = path.resolve(import.meta.dirname, "../../src/db");
const SCHEMA = readFileSync(path.resolve(import.meta.dirname, "../../schema.sql"), "utf8");
const SCALING = readFileSync(path.resolve(import.meta.dirname, "../../docs/scaling.md"), "utf8");

/** Files whose SQL is about the whole database, not a tailnet's rows. */
const WHOLE_DATABASE: Record<string, string> = {
  "backup.ts": "backups copy every table as a whole (COPY), by design",
  "migrate.ts": "migrations change the schema",
  "schema.ts": "reads the catalog",
  "embedded.ts": "starts PostgreSQL",
  "health.ts": "SELECT 1",
};

const TABLES = [...SCHEMA.matchAll(/^CREATE TABLE (\w+) \(([\s\S]*?)\n\);/gm)].map((m) => ({ name: m[1]!, body: m[2]! }));
/** Tables with a tailnet_id column other than tailnets itself (whose rows are the tailnets). */
const OWNED = TABLES.filter((t) => t.name !== "tailnets" && /^\s+tailnet_id\b/m.test(t.body)).map((t) => t.name);

type Statement = { file: string; line: number; text: string };

/** Template literals of a file, with `${CONST}` references to the file's own constants inlined. */
function statements(file: string): Statement[] {
  const src = readFileSync(path.join(DB_DIR, file), "utf8");
  const constants = new Map<string, string>();
  for (const m of src.matchAll(/^(?:export )?const ([A-Z][A-Z0-9_]*) = `([^`]*)`/gm)) constants.set(m[1]!, m[2]!);
  const out: Statement[] = [];
  for (const m of src.matchAll(/`([^`]*)`/g)) {
    const before = src.slice(Math.max(0, m.index - 80), m.index);
    // A constant's own text is a fragment: it is checked where it is used.
    if (/(?:^|\n)(?:export )?const [A-Z][A-Z0-9_]* = $/.test(before)) continue;
    let text = m[1]!;
    for (let i = 0; i < 3; i++) text = text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (all, name: string) => constants.get(name) ?? all);
    if (!/\b(SELECT|INSERT|UPDATE|DELETE)\b/.test(text)) continue;
    out.push({ file, line: src.slice(0, m.index).split("\n").length, text });
  }
  return out;
}

const ALL = readdirSync(DB_DIR)
  .filter((f) => f.endsWith(".ts") && !(f in WHOLE_DATABASE))
  .flatMap(statements);

const tablesOf = (sql: string) => OWNED.filter((t) => new RegExp(`\\b(FROM|JOIN|INTO|UPDATE)\\s+${t}\\b`, "i").test(sql));
const withoutComments = (sql: string) => sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");

/** Scoped: tailnet_id compared with a parameter, or an INSERT ... VALUES writing the column. */
function scoped(sql: string): boolean {
  const s = withoutComments(sql);
  if (/tailnet_id\s*(=|IN\b)\s*(ANY\s*\(\s*)?\(?\s*\$+(\d|\{)/i.test(s)) return true;
  return /^\s*INSERT\s+INTO\s+\w+(\s+AS\s+\w+)?\s*\(\s*tailnet_id\b/i.test(s) && /\bVALUES\b/i.test(s) && !/\bSELECT\b/i.test(s);
}
const crossTailnet = (sql: string) => /\/\* cross-tailnet: ([^*]+?) \*\//.exec(sql)?.[1];

describe("SQL scoping (every statement on a tailnet-owned table names its tailnet)", () => {
  it("finds the tailnet-owned tables and the statements on them", () => {
    expect(OWNED).toEqual(expect.arrayContaining(["devices", "keys", "users", "policies", "audit_log", "webhook_outbox"]));
    expect(OWNED).not.toContain("tailnets");
    // Every table but tailnets carries tailnet_id (test/unit/schema.test.ts checks it too).
    expect(OWNED.length).toBe(TABLES.length - 1);
    expect(ALL.filter((s) => tablesOf(s.text).length > 0).length).toBeGreaterThan(100);
  });

  it("the rule itself: what counts as scoped", () => {
    expect(scoped("SELECT 1 FROM devices WHERE tailnet_id = $1 AND node_id = $2")).toBe(true);
    expect(scoped("UPDATE devices SET x = 1 WHERE tailnet_id = $${n + 1}")).toBe(true);
    expect(scoped("SELECT 1 FROM devices WHERE tailnet_id = ANY($1::bigint[])")).toBe(true);
    expect(scoped("INSERT INTO keys (tailnet_id, key_id) VALUES ($1, $2)")).toBe(true);
    expect(scoped("INSERT INTO users AS u (tailnet_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")).toBe(true);
    // A join on tailnet_id is not a scope: the statement still reads every tailnet.
    expect(scoped("SELECT 1 FROM keys k JOIN users u ON u.tailnet_id = k.tailnet_id WHERE k.key_id = $1")).toBe(false);
    expect(scoped("SELECT 1 FROM devices WHERE node_id = $1 -- tailnet_id = $2")).toBe(false);
    expect(scoped("INSERT INTO keys (tailnet_id, key_id) SELECT tailnet_id, $1 FROM keys")).toBe(false);
  });

  it("every statement is scoped by tailnet_id or says why it is cross-tailnet", () => {
    const offenders = ALL.filter((s) => tablesOf(s.text).length > 0 && !scoped(s.text) && !crossTailnet(s.text)).map(
      (s) => `src/db/${s.file}:${s.line} [${tablesOf(s.text).join(", ")}] ${s.text.replace(/\s+/g, " ").trim().slice(0, 160)}`,
    );
    expect(offenders, "scope these by tailnet_id, or mark them /* cross-tailnet: <why> */ and list them in docs/scaling.md").toEqual([]);
  });

  it("docs/scaling.md names every cross-tailnet statement", () => {
    const marked = ALL.filter((s) => crossTailnet(s.text)).map((s) => ({ where: `src/db/${s.file}`, why: crossTailnet(s.text)! }));
    expect(marked.length).toBeGreaterThan(0);
    const missing = marked.filter((m) => !SCALING.includes(m.why)).map((m) => `${m.where}: ${m.why}`);
    expect(missing, "docs/scaling.md lists each cross-tailnet statement by its reason").toEqual([]);
  });
});
