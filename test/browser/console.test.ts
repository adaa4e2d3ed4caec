/**
 * The web console, end to end in Debian's Chromium: a real server process,
 * the tasks of the users guide's GUI column done by clicking and typing, with
 * JavaScript disabled (every main form works without it), each page checked
 * by axe-core (no serious or critical violations) and at a phone's width,
 * and the refusals: a forged form post (no CSRF token) and a member's key
 * asking for an admin's action.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { call, cleanup, databaseUrl, spawnServer, uniqueName, type Server } from "../blackbox/harness.js";
import { axeViolations, DESKTOP, HAVE_CHROMIUM, overflowing, launch, PHONE, screenshot } from "./chromium.js";

// Runs in the page (see page.evaluate below).
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const document: { activeElement: { id?: string; textContent?: string | null } | null };

const hex = () => randomBytes(32).toString("hex");

if (!HAVE_CHROMIUM && process.env.CI) throw new Error("Chromium is missing: .ci/run installs Debian's chromium package");

describe.skipIf(!HAVE_CHROMIUM)("web console in Chromium", () => {
  let server: Server;
  let browser: Browser;
  let key: string;
  const visited = new Set<string>();

  /** A webhook receiver on loopback (the server may reach it: TAILAPI_OUTBOUND_ALLOW). */
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.end("ok");
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    // A server as a new user starts it: a fresh tailnet, its first API key printed once.
    server = await spawnServer({
      env: {
        DATABASE_URL: databaseUrl(),
        TAILAPI_TAILNET: uniqueName("console"),
        TAILAPI_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        TAILAPI_OUTBOUND_ALLOW: "127.0.0.1/32",
        TAILAPI_WEBHOOK_POLL_MS: "100",
      },
    });
    key = server.firstApiKey!;
    expect(key).toMatch(/^tskey-api-/);
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cleanup();
    receiver.close();
  });

  /** Every page a test visits is checked again with axe and at a phone's width in `accessibility`. */
  async function go(page: Page, path: string): Promise<void> {
    const res = await page.goto(server.url + path);
    expect(res?.status(), `${path}`).toBeLessThan(400);
    visited.add(new URL(page.url()).pathname + new URL(page.url()).search);
  }

  async function signIn(context: BrowserContext, apiKey: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await page.getByLabel("API access token", { exact: true }).fill(apiKey);
    await page.locator("form:has(#apikey)").getByRole("button", { name: "Sign in" }).click();
    return page;
  }

  const api = (method: string, path: string, body?: unknown, apiKey = key) => call(server.url, method, path, { key: apiKey, ...(body === undefined ? {} : { body }) });

  let nodeId = "";
  let adminContext: BrowserContext;

  it("does the users guide's tasks with JavaScript disabled", async () => {
    adminContext = await browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
    const page = await signIn(adminContext, key);
    expect(new URL(page.url()).pathname).toBe("/admin/machines");
    await expect(page.locator("h1").textContent()).resolves.toBe("Machines");
    visited.add("/admin/login");

    // Users: create a user.
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Username or email").fill("alice");
    await page.getByLabel("Role").selectOption("member");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("User alice created.");
    const aliceRow = page.getByRole("row", { name: /alice/ });
    await expect(aliceRow.getByRole("cell").nth(1).textContent()).resolves.toBe("0"); // machines
    visited.add("/admin/users");

    // Access controls: define the tags, keeping the file's comments.
    await page.getByRole("link", { name: "Access controls" }).click();
    const policy = `// Edited in the console.
{
  "tagOwners": {"tag:server": ["autogroup:admin"], "tag:web": ["autogroup:admin"]}, // admins tag machines
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
}
`;
    await page.getByRole("textbox", { name: "Policy file" }).fill(policy);
    await page.getByRole("button", { name: "Validate" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("The policy file is valid, and its tests pass.");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Policy file saved.");
    const saved = await call(server.url, "GET", "/api/v2/tailnet/-/acl", { key, headers: { Accept: "application/hujson" } });
    expect(saved.text).toBe(policy);
    visited.add("/admin/acl");

    // Keys: a reusable pre-auth key for alice, shown once.
    await page.getByRole("link", { name: "Keys" }).click();
    await page.locator("#auth-keys details summary").click();
    await page.getByLabel(/^User/).selectOption("alice");
    await page.getByLabel("Description").first().fill("laptop");
    await page.getByLabel(/Reusable/).check();
    await page.getByLabel("Expires after").first().selectOption({ label: "1 day" });
    await page.getByRole("button", { name: "Generate key" }).click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Auth key generated");
    const authKey = await page.getByLabel("Auth key").inputValue();
    expect(authKey).toMatch(/^tskey-auth-/);
    await expect(page.locator("main").textContent()).resolves.toContain("Machines registered with it belong to alice.");
    await screenshot(page, "auth-key-created");

    // A machine registers through the node API and reports in.
    const reg = await call(server.url, "POST", "/machine/register", {
      body: { authKey, nodeKey: `nodekey:${hex()}`, machineKey: `mkey:${hex()}`, hostname: "web-server", os: "linux", advertiseRoutes: ["10.0.0.0/24"] },
    });
    expect(reg.status).toBe(200);
    nodeId = reg.body.device.nodeId;
    const upd = await call(server.url, "POST", "/machine/update", {
      bearer: reg.body.nodeToken,
      body: { osVersion: "6.1", clientVersion: "1.80.0", endpoints: ["203.0.113.7:41641"] },
    });
    expect(upd.status).toBe(200);
    const second = await call(server.url, "POST", "/machine/register", {
      body: { authKey, nodeKey: `nodekey:${hex()}`, machineKey: `mkey:${hex()}`, hostname: "alice-laptop", os: "macOS" },
    });
    expect(second.status).toBe(200);

    // Machines: it appears, connected, with its addresses.
    await page.getByRole("link", { name: "Machines" }).click();
    const row = page.getByRole("row", { name: /web-server/ });
    await expect(row.textContent()).resolves.toContain(reg.body.device.addresses[0]);
    await expect(row.textContent()).resolves.toContain("Connected");
    await expect(row.textContent()).resolves.toContain("Routes awaiting approval");
    // Filters work without JavaScript: a GET form.
    await page.getByLabel("Search").fill("web");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("row").count()).resolves.toBe(2); // header and web-server
    visited.add("/admin/machines?q=web");
    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page.getByRole("row").count()).resolves.toBe(3);

    // A machine's page: tag it, approve its route, rename it.
    await page.getByRole("link", { name: "web-server" }).click();
    expect(new URL(page.url()).pathname).toBe(`/admin/machines/${nodeId}`);
    visited.add(`/admin/machines/${nodeId}`);
    await page.getByLabel("tag:server").check();
    await page.getByRole("button", { name: "Save tags" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Tags set: tag:server.");
    await page.getByLabel("10.0.0.0/24").check();
    await page.getByRole("button", { name: "Save routes" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Approved routes: 10.0.0.0/24.");
    await page.getByRole("textbox", { name: "Machine name" }).fill("web-1");
    await page.getByRole("button", { name: "Rename" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Renamed to web-1.");
    const device = await api("GET", `/api/v2/device/${nodeId}?fields=all`);
    expect(device.body).toMatchObject({ tags: ["tag:server"], enabledRoutes: ["10.0.0.0/24"], name: expect.stringMatching(/^web-1\./) });
    await screenshot(page, "machine");

    // A posture attribute and an invite.
    await page.getByLabel("Key", { exact: true }).fill("custom:tier");
    await page.getByLabel("Value").fill("gold");
    await page.getByRole("button", { name: "Set attribute" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Attribute custom:tier set.");
    await page.getByLabel(/Multi-use/).check();
    await page.getByRole("button", { name: "Create invite" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toContain("Invite created");
    const invites = await api("GET", `/api/v2/device/${nodeId}/device-invites`);
    expect(invites.body).toHaveLength(1);
    await expect(page.locator("#sharing").textContent()).resolves.toContain(invites.body[0].inviteUrl);

    // The policy is edited elsewhere while the page is open: saving is refused, the text kept.
    await page.getByRole("link", { name: "Access controls" }).click();
    const mine = `${policy}// my edit\n`;
    await page.getByRole("textbox", { name: "Policy file" }).fill(mine);
    const theirs = await call(server.url, "POST", "/api/v2/tailnet/-/acl", { key, rawBody: `${policy}// their edit\n`, headers: { "Content-Type": "application/hujson" } });
    expect(theirs.status).toBe(200);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("someone else saved the policy file after you opened it");
    await expect(page.getByRole("textbox", { name: "Policy file" }).inputValue()).resolves.toBe(mine);
    await expect(page.getByLabel("Current policy file").textContent()).resolves.toContain("// their edit");
    const after = await call(server.url, "GET", "/api/v2/tailnet/-/acl", { key, headers: { Accept: "application/hujson" } });
    expect(after.text).toContain("// their edit");

    // The Machines page as the README shows it.
    await page.getByRole("link", { name: "Machines" }).click();
    await screenshot(page, "machines");

    // Users: alice has one machine of her own (the other is tagged: it belongs to its tags).
    await page.getByRole("link", { name: "Users" }).click();
    await expect(page.getByRole("row", { name: /alice/ }).getByRole("cell").nth(1).textContent()).resolves.toBe("1");
    await page.getByRole("link", { name: "alice", exact: true }).click();
    visited.add(new URL(page.url()).pathname);
    await expect(page.locator("#machines").textContent()).resolves.toContain("alice-laptop");
    // Delete her, after a confirmation naming what goes with her, and see her machine gone.
    await page.getByRole("link", { name: "Delete user…" }).click();
    visited.add(new URL(page.url()).pathname);
    await expect(page.locator("main").textContent()).resolves.toContain("1 machine: alice-laptop");
    await page.getByRole("button", { name: "Delete user" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/^User alice deleted, with 1 machine and 1 key\.$/);
    await expect(page.getByRole("link", { name: "alice", exact: true }).count()).resolves.toBe(0);
    await page.getByRole("link", { name: "Machines" }).click();
    await expect(page.getByRole("link", { name: "alice-laptop" }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "web-1" }).count()).resolves.toBe(1);
    expect((await api("GET", `/api/v2/device/${second.body.device.nodeId}`)).status).toBe(404);
  }, 120_000);

  it("DNS, webhooks with their deliveries, the configuration log and settings", async () => {
    const page = await adminContext.newPage();
    // DNS: a nameserver, then MagicDNS, a search domain and a split DNS domain.
    await go(page, "/admin/dns");
    await page.getByLabel(/^Nameservers/).fill("1.1.1.1\n9.9.9.9");
    await page.getByRole("button", { name: "Save nameservers" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Nameservers saved (2).");
    await page.getByRole("button", { name: "Enable MagicDNS" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("MagicDNS enabled.");
    await page.getByLabel("Domain", { exact: true }).fill("corp.example");
    await page.getByLabel("Its nameservers").fill("10.0.0.53");
    await page.getByRole("button", { name: "Add domain" }).click();
    await expect(page.getByRole("row", { name: /corp\.example/ }).textContent()).resolves.toContain("10.0.0.53");
    const dns = await api("GET", "/api/v2/tailnet/-/dns/configuration");
    expect(dns.body).toMatchObject({ nameservers: [{ address: "1.1.1.1" }, { address: "9.9.9.9" }], preferences: { magicDNS: true } });

    // Webhooks: an endpoint on the local receiver, a test event, and its delivery seen in the console.
    await go(page, "/admin/webhooks");
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/events`;
    await page.getByLabel("Endpoint URL").fill(receiverUrl);
    await page.getByLabel("nodeCreated").check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Webhook endpoint added");
    const secret = await page.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^tskey-webhook-/);
    await page.getByRole("link", { name: "Done" }).click();
    visited.add(new URL(page.url()).pathname);
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toContain("Test event queued");
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["tailscale-webhook-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(received[0]!.body)[0]).toMatchObject({ type: "test" });
    let delivered = false;
    for (let i = 0; i < 50 && !delivered; i++) {
      await page.reload();
      delivered = (await page.getByRole("row", { name: /^test/ }).textContent())?.includes("Delivered") ?? false;
      if (!delivered) await new Promise((r) => setTimeout(r, 100));
    }
    expect(delivered).toBe(true);
    await expect(page.getByRole("row", { name: /^test/ }).textContent()).resolves.toContain("HTTP 200");

    // The configuration log shows what was done here, from the console.
    await go(page, "/admin/logs");
    await page.getByLabel("Event").fill("TAILNET.ENABLE.MAGIC_DNS");
    await page.getByRole("button", { name: "Filter" }).click();
    const row = page.getByRole("row", { name: /TAILNET\.ENABLE\.MAGIC_DNS/ });
    await expect(row.textContent()).resolves.toContain("Console");
    visited.add(new URL(page.url()).pathname + new URL(page.url()).search);

    // Settings: user approval on, key expiry of new machines shortened.
    await go(page, "/admin/settings");
    await page.getByLabel("User approval").check();
    await page.getByLabel("Key expiry of new machines (days)").fill("30");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status").textContent()).resolves.toBe("Settings saved (2 changed).");
    expect((await api("GET", "/api/v2/tailnet/-/settings")).body).toMatchObject({ usersApprovalOn: true, devicesKeyDurationDays: 30 });
    await page.close();
  }, 60_000);

  it("refuses a form post without the session's CSRF token", async () => {
    const before = await api("GET", `/api/v2/device/${nodeId}`);
    // The browser's cookie goes along (same origin), but the token does not.
    const forged = await adminContext.request.post(`${server.url}/admin/machines/${nodeId}/name`, { form: { name: "forged" }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain("Nothing was changed");
    const wrong = await adminContext.request.post(`${server.url}/admin/machines/${nodeId}/name`, { form: { name: "forged", csrf: "x".repeat(32) }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    expect((await api("GET", `/api/v2/device/${nodeId}`)).body.name).toBe(before.body.name);
  });

  it("offers a member's key no admin action, and the domain refuses a forged one", async () => {
    // An admin makes a member and an API key for them in the console.
    const page = await adminContext.newPage();
    await page.goto(`${server.url}/admin/users`);
    await page.getByLabel("Username or email").fill("bob");
    await page.getByLabel("Role").selectOption("member");
    await page.getByRole("button", { name: "Save" }).click();
    await page.goto(`${server.url}/admin/keys`);
    await page.locator("#api-keys details summary").click();
    await page.getByLabel("Acts as user").selectOption("bob");
    await page.getByRole("button", { name: "Generate token" }).click();
    const bobKey = await page.getByLabel("API access token").inputValue();
    expect(bobKey).toMatch(/^tskey-api-/);
    await page.close();

    const bobContext = await browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP });
    const bob = await signIn(bobContext, bobKey);
    await expect(bob.locator(".who-name").textContent()).resolves.toBe("bob (member)");
    await bob.goto(`${server.url}/admin/machines/${nodeId}`);
    // Read-only for a member: none of the admin's forms.
    for (const name of ["Save tags", "Save routes", "Rename", "Approve machine", "De-authorize", "Set address", "Set attribute"]) {
      await expect(bob.getByRole("button", { name }).count(), name).resolves.toBe(0);
    }
    await bob.goto(`${server.url}/admin/users`);
    await expect(bob.getByRole("button", { name: "Save" }).count()).resolves.toBe(0);

    // A forged post with bob's own valid CSRF token: the domain refuses it.
    const csrf = await bob.locator('form[action="/admin/logout"] input[name=csrf]').getAttribute("value");
    const res = await bobContext.request.post(`${server.url}/admin/machines/${nodeId}/routes`, { form: { csrf: csrf!, more: "192.168.0.0/24" } });
    expect(await res.text()).toContain("Not allowed: the credential you signed in with does not have the permissions this needs.");
    expect((await api("GET", `/api/v2/device/${nodeId}/routes`)).body.enabledRoutes).toEqual(["10.0.0.0/24"]);
    const user = await bobContext.request.post(`${server.url}/admin/users`, { form: { csrf: csrf!, loginName: "mallory", role: "owner" } });
    expect(await user.text()).toContain("Not allowed");
    await bobContext.close();
  });

  it("copies a secret with the copy button, with the strict CSP in force", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const problems: string[] = [];
    const page = await signIn(context, key);
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    await page.goto(`${server.url}/admin/keys`);
    await page.locator("#auth-keys details summary").click();
    await page.getByRole("button", { name: "Generate key" }).click();
    const secret = await page.getByLabel("Auth key").inputValue();
    const copy = page.getByRole("button", { name: "Copy" });
    await expect(copy.isVisible()).resolves.toBe(true);
    await copy.click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(secret);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("is usable by keyboard alone: sign in, skip to the content, move between sections", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/login`);
    const focused = () => page.evaluate(() => (document.activeElement as { id?: string; textContent?: string | null } | null)?.id || document.activeElement?.textContent?.trim());
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("apikey");
    await page.keyboard.type(key);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/machines$/);
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Skip to content");
    await expect(page.locator(".skip").isVisible()).resolves.toBe(true);
    await page.keyboard.press("Enter");
    expect(new URL(page.url()).hash).toBe("#main");
    // From the top, the navigation is a few Tabs away; Enter follows a link.
    await page.goto(`${server.url}/admin/machines`);
    let steps = 0;
    while ((await focused()) !== "Users" && steps++ < 10) await page.keyboard.press("Tab");
    expect(await focused()).toBe("Users");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/users$/);
    await context.close();
  });

  it("every page passes axe and fits a phone's width", async () => {
    const state = await adminContext.storageState();
    const context = await browser.newContext({ bypassCSP: true, storageState: state, viewport: DESKTOP });
    const page = await context.newPage();
    const pages = [...visited, "/admin/keys", "/admin/account", `/admin/machines/${nodeId}/expire`, `/admin/invite/${"a".repeat(32)}`, "/admin/settings", "/admin/logout"];
    const failures: string[] = [];
    for (const path of pages) {
      for (const viewport of [DESKTOP, PHONE]) {
        await page.setViewportSize(viewport);
        await page.goto(server.url + path);
        for (const v of await axeViolations(page)) failures.push(`${path} at ${viewport.width}px: ${v}`);
        if (viewport === PHONE) for (const o of await overflowing(page)) failures.push(`${path} is wider than a phone's screen: ${o}`);
      }
      if (path === "/admin/machines") await screenshot(page, "machines-phone");
    }
    // The sign-in page, without a session.
    const anon = await browser.newContext({ bypassCSP: true, viewport: PHONE });
    const login = await anon.newPage();
    await login.goto(`${server.url}/admin/login`);
    for (const v of await axeViolations(login)) failures.push(`/admin/login: ${v}`);
    for (const o of await overflowing(login)) failures.push(`/admin/login is wider than a phone's screen: ${o}`);
    await anon.close();
    expect(failures).toEqual([]);
    expect(pages.length).toBeGreaterThanOrEqual(8);
    // The check itself can fail: an unlabelled field and an image without text are caught.
    await page.setContent('<!doctype html><html lang="en"><title>t</title><main><input><img src="/x.png"></main></html>');
    expect((await axeViolations(page)).join("\n")).toMatch(/critical image-alt[\s\S]*critical label/);
    await context.close();
  }, 120_000);

  it("signs out, and the session is gone", async () => {
    const page = await adminContext.newPage();
    await page.goto(`${server.url}/admin/machines`);
    const cookie = (await adminContext.cookies()).find((c) => c.name === "tailapi_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/admin" });
    await page.getByRole("button", { name: "Sign out" }).click();
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await expect(page.getByRole("status").textContent()).resolves.toBe("Signed out.");
    // The old cookie no longer opens anything.
    const again = await browser.newContext();
    await again.addCookies([{ ...cookie!, sameSite: "Strict" }]);
    const p2 = await again.newPage();
    await p2.goto(`${server.url}/admin/machines`);
    expect(new URL(p2.url()).pathname).toBe("/admin/login");
    await again.close();
    await adminContext.close();
  });
});
