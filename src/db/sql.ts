import postgres from "postgres";

export type Sql = postgres.Sql<Record<string, never>>;
export type TxSql = postgres.TransactionSql<Record<string, never>>;
/** A connection or transaction: repository functions accept either. */
export type Queryable = Sql | TxSql;

export function connect(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => undefined,
    // bigint columns come back as strings (the API sends ids as strings anyway).
    types: {},
    connection: { application_name: "tailapi" },
  }) as unknown as Sql;
}

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

/**
 * Runs one parameterised statement through a server-side cursor, yielding
 * its rows in batches: a result of any size is read with bounded memory.
 */
export async function* cursor<T = Record<string, unknown>>(db: Queryable, text: string, params: unknown[], batch: number): AsyncGenerator<T[]> {
  for await (const rows of db.unsafe(text, params as never[], { prepare: true }).cursor(batch)) yield rows as unknown as T[];
}
