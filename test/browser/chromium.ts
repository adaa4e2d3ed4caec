/**
 * Debian's Chromium driven by playwright-core (no browser download), and
 * axe-core run inside it. Screenshots go to .tmp/console-screenshots/
 * (gitignored) or $TAILAPI_SCREENSHOTS_DIR.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../blackbox/harness.js";

// Functions passed to page.evaluate run in the page; these name its globals here (no DOM lib in this project).
declare const document: any;
declare const window: any;

export const CHROMIUM = process.env.TAILAPI_CHROMIUM ?? "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export const SCREENSHOTS = process.env.TAILAPI_SCREENSHOTS_DIR ?? path.join(ROOT, ".tmp", "console-screenshots");

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--headless"],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource: string | undefined;

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

/**
 * axe-core's serious and critical violations on the page as it is now. The
 * page must be in a context made with `bypassCSP: true` (axe is injected as
 * a script the console's policy would rightly refuse).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: axeSource });
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * What sticks out past the viewport's right edge (scroll regions may hold
 * wider content): empty when the page fits the screen's width.
 */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
    const out: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest(".table-wrap")) continue;
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className} (${Math.round(r.right)}px)`);
    }
    return out.length ? out.slice(0, 5) : [`the document is ${document.documentElement.scrollWidth}px wide`];
  });
}
