import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { decodeKey, type Config } from "../config.js";

/**
 * The master key that encrypts token-signing keys at rest:
 * TAILAPI_ENCRYPTION_KEY when set (give every replica the same one), else a
 * random key kept in `$TAILAPI_DATA_DIR/encryption.key` (mode 0600), made on
 * first use. A replica with a different key still works: it signs with a key
 * of its own, and every replica verifies every token with the public keys.
 */
export async function loadMasterKey(config: Pick<Config, "encryptionKey" | "dataDir">): Promise<{ key: Uint8Array; source: string }> {
  if (config.encryptionKey) return { key: config.encryptionKey, source: "TAILAPI_ENCRYPTION_KEY" };
  const file = path.resolve(config.dataDir, "encryption.key");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined) {
    const key = decodeKey(existing);
    if (!key) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return { key, source: file };
  }
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" }).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  const stored = decodeKey(await readFile(file, "utf8"));
  if (!stored) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return { key: stored, source: file };
}
