import { describe, expect, it } from "vitest";
import { findTextIssue } from "../../src/lib/text.js";

describe("findTextIssue", () => {
  it.each([
    ["a clean value", { a: ["x", { b: "y" }], c: 1, d: null }, undefined],
    ["a top-level string", "a\u0000b", { path: [], problem: "must not contain NUL characters" }],
    ["a nested string", { a: ["x", { b: "ok", c: "\ud800" }] }, { path: ["a", 1, "c"], problem: "must be valid Unicode (no unpaired surrogates)" }],
    ["an array element", { routes: ["10.0.0.0/8", "x\u0000"] }, { path: ["routes", 1], problem: "must not contain NUL characters" }],
    ["a key", { attrs: { ["k\u0000"]: 1 } }, { path: ["attrs", "k\u0000"], problem: "(a key) must not contain NUL characters" }],
    ["the first of two", { a: "\u0000", b: "\ud800" }, { path: ["a"], problem: "must not contain NUL characters" }],
  ])("%s", (_name, value, expected) => {
    expect(findTextIssue(value)).toEqual(expected);
  });

  it("stops descending past 64 levels", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(findTextIssue(deep)).toBeUndefined();
  });
});
