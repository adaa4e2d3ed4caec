import { backupDatabase, BackupError, restoreDatabase, type BackupHeader } from "../db/backup.js";
import type { Database } from "../db/index.js";
import { invalid } from "../lib/errors.js";
import type { Deps } from "./deps.js";

export type { BackupHeader };

/** The operator's backup of every tailnet (the CLI's `tailapi backup FILE`). */
export function backup(d: Deps, file: string): Promise<BackupHeader> {
  return backupDatabase(d.sql, file);
}

/**
 * Replaces the whole database with a backup (`tailapi restore FILE`). On the
 * embedded database, refused while another process (a running server) has
 * it open: restore with the servers stopped.
 */
export async function restore(d: Deps, db: Pick<Database, "embedded">, file: string, dataDir: string) {
  if (db.embedded && !db.embedded.owned) {
    throw invalid(`a tailapi server is running on ${dataDir}: stop it, then restore`);
  }
  try {
    return await restoreDatabase(d.sql, file);
  } catch (err) {
    if (err instanceof BackupError) throw invalid(err.message);
    throw err;
  }
}
