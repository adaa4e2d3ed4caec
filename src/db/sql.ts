import postgres from "postgres";

export type Sql = postgres.Sql<Record<string, never>>;
export type TxSql = postgres.TransactionSql<Record<string, never>>;
/** A connection or transaction: repository functions accept either. */
export type Queryable = Sql | TxSql;

/** A connection attempt that takes longer than this has failed (seconds). */
export const CONNECT_TIMEOUT_S = 1;
/** Wait before a pool connection that closed with an error is reopened (seconds): fixed, not random. */
const RECONNECT_DELAY_S = 0.05;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

/**
 * A pool. Fails fast when the database is away: connection attempts give up
 * after CONNECT_TIMEOUT_S, a closed connection is reopened after a fixed
 * RECONNECT_DELAY_S (postgres.js's default is a random backoff growing to
 * 20 s, which kept requests waiting long after the database was back), and
 * every statement is bounded by statement_timeout.
 */
export function connect(url: string, opts: { max?: number; statementTimeoutMs?: number; prepare?: boolean } = {}): Sql {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    // Named prepared statements for every query (query() asks for them), unless a pooler in between cannot keep them.
    prepare: opts.prepare ?? true,
    onnotice: () => undefined,
    // bigint columns come back as strings (the API sends ids as strings anyway).
    types: {},
    connect_timeout: CONNECT_TIMEOUT_S,
    backoff: () => RECONNECT_DELAY_S,
    connection: { application_name: "tailapi", statement_timeout: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS },
  }) as unknown as Sql;
  CLOSE = sql.CLOSE;
  return sql;
}

/**
 * postgres.js's "close this cursor" answer (one object for the whole module,
 * but only a pool carries it, not a transaction's handle): taken from the
 * first pool made.
 */
let CLOSE: object | undefined;

/** SQLSTATE of a unique-constraint violation. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}

/**
 * Runs one parameterised statement as a named prepared statement. Repository
 * modules use this for all their SQL: values only ever travel as parameters.
 */
export function query<T = Record<string, unknown>>(db: Queryable, text: string, params: unknown[] = []): Promise<T[]> {
  return db.unsafe(text, params as never[], { prepare: true }) as unknown as Promise<T[]>;
}

/** query, with each row as an array of its values in select-list order (no object per row). */
export function queryValues(db: Queryable, text: string, params: unknown[] = []): Promise<unknown[][]> {
  return db.unsafe(text, params as never[], { prepare: true }).values() as unknown as Promise<unknown[][]>;
}

/**
 * Runs one parameterised statement through a server-side cursor, yielding
 * its rows in batches: a result of any size is read with bounded memory.
 *
 * It reads one batch ahead: as soon as a batch is handed to the caller the
 * next one is requested, so PostgreSQL produces batch n+1 while the caller
 * works on batch n (postgres.js's own iterator asks only when the caller comes
 * back). At most two batches are held: the caller's and the one read ahead.
 * A caller that stops early closes the portal; an error ends the iteration.
 * With `values`, each row is an array of its values (see queryValues).
 */
export async function* cursor<T = Record<string, unknown>>(
  db: Queryable,
  text: string,
  params: unknown[],
  batch: number,
  o: { values?: boolean } = {},
): AsyncGenerator<T[]> {
  let ahead: T[] | undefined;
  /** Resolves the reader's pause once `ahead` is taken; answers CLOSE when the caller has gone. */
  let taken: ((close: boolean) => void) | undefined;
  /** Wakes the caller waiting for a batch or for the end. */
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const statement = db.unsafe(text, params as never[], { prepare: true });
  // With `values`, rows are arrays of their values (see queryValues). The callback form of cursor() returns the query itself.
  const q = (o.values ? statement.values() : statement).cursor(batch, (rows: unknown) => {
    ahead = rows as unknown as T[];
    const pause = new Promise<unknown>((resolve) => (taken = (close) => resolve(close ? CLOSE : undefined)));
    wake?.();
    return pause;
  }) as unknown as Promise<unknown>;
  q.then(
    () => ((finished = true), wake?.()),
    (error: unknown) => ((failure = { error }), (finished = true), wake?.()),
  );
  try {
    for (;;) {
      if (ahead) {
        const rows = ahead;
        ahead = undefined;
        taken?.(false);
        taken = undefined;
        yield rows;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    if (!finished) {
      // The caller stopped early: the pending or next batch answers CLOSE, and the portal is closed.
      const close = () => taken?.(true);
      close();
      wake = close;
      await q.catch(() => undefined);
    }
  }
}
