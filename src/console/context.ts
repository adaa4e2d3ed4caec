import type { Context, Hono } from "hono";
import type { Actor } from "../domain/actor.js";
import type { Deps } from "../domain/deps.js";
import type { Flash, Session } from "../domain/sessions.js";
import { deps, type AppEnv } from "../http/context.js";

/** What the console's middleware puts on a signed-in request's context. */
export type ConsoleEnv = {
  Variables: AppEnv["Variables"] & {
    session: Session;
    /** The signed-in credential, checked again on this request. */
    actor: Actor;
    /** The message the previous form post left, shown once. */
    flash: Flash | null;
  };
};

export type CC = Context<ConsoleEnv>;
export type ConsoleApp = Hono<ConsoleEnv>;

/** The domain's dependencies for a console request (as `deps` makes them for the API's routes). */
export function consoleDeps(c: Context<ConsoleEnv> | Context): Deps {
  return deps(c as unknown as Context<AppEnv>);
}

/** A submitted form: repeated fields come as lists. */
export type Form = Record<string, string | File | (string | File)[]>;

export async function readForm(c: Context): Promise<Form> {
  return (await c.req.parseBody({ all: true })) as Form;
}

/** A text field (the first, if repeated), trimmed; "" when absent. */
export function field(form: Form, name: string): string {
  const v = form[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first.trim() : "";
}

/** A text field exactly as typed (policy files keep their whitespace). */
export function rawField(form: Form, name: string): string {
  const v = form[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : "";
}

/** Every value of a repeated field (checkbox groups), without empties. */
export function fields(form: Form, name: string): string[] {
  const v = form[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => x.trim());
}

/** A checkbox: present means checked. */
export function checked(form: Form, name: string): boolean {
  return form[name] !== undefined;
}
