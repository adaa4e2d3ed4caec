/**
 * What PostgreSQL can store in a `text` column: valid UTF-8 without NUL. A
 * JavaScript string can hold NUL (`\u0000`, which PostgreSQL rejects) and
 * unpaired surrogates (which would be silently replaced by U+FFFD on the way
 * to the database). Every string a client sends is checked against this
 * before it is used.
 */
export function textProblem(s: string): string | undefined {
  if (s.includes("\u0000")) return "must not contain NUL characters";
  if (!s.isWellFormed()) return "must be valid Unicode (no unpaired surrogates)";
  return undefined;
}

export type TextIssue = { path: (string | number)[]; problem: string };

/**
 * The first string in a parsed value (object keys included) that PostgreSQL
 * could not store, with its path; undefined when there is none. Walks plain
 * JSON-like data only (objects, arrays, strings). Every request's input goes
 * through it, so the path is only built for a problem found.
 */
export function findTextIssue(value: unknown): TextIssue | undefined {
  const found = walk(value, 0);
  return found && { path: found.path.reverse(), problem: found.problem };
}

/** `findTextIssue` with the path innermost first (each level appends its own step on the way out). */
function walk(value: unknown, depth: number): TextIssue | undefined {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { path: [], problem } : undefined;
  }
  if (value === null || typeof value !== "object" || depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = walk(value[i], depth + 1);
      if (issue) return issue.path.push(i), issue;
    }
    return undefined;
  }
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const keyProblem = textProblem(k);
    if (keyProblem) return { path: [k], problem: `(a key) ${keyProblem}` };
    const issue = walk((value as Record<string, unknown>)[k], depth + 1);
    if (issue) return issue.path.push(k), issue;
  }
  return undefined;
}
