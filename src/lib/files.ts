import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Reads files given as paths or directories (a directory: its `.json` and
 * `.hujson` files, in name order). What `tailapi import` and TAILAPI_SEED
 * read; what the files mean is the domain's business.
 */
export async function readFilesOf(paths: readonly string[]): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new Error(`${p}: no such file or directory`);
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => /\.(json|hujson)$/i.test(n)).sort();
      if (names.length === 0) throw new Error(`${p}: no .json or .hujson files in this directory`);
      for (const n of names) out.push({ name: path.join(p, n), text: await readFile(path.join(p, n), "utf8") });
    } else {
      out.push({ name: p, text: await readFile(p, "utf8") });
    }
  }
  return out;
}
