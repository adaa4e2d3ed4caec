/**
 * Black-box tests' isolated databases (test/blackbox/harness.ts,
 * `isolatedDatabaseEnv`) start with this; test/setup/global.ts drops them
 * when the run ends.
 */
export const ISOLATED_DATABASE_PREFIX = "tailapi_isolated_";
