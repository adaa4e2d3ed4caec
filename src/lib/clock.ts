/** Where "now" comes from: the system clock in production, a movable one in tests. */
export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };
