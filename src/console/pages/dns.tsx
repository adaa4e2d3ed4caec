/** @jsxImportSource hono/jsx */
import { getDns, setMagicDns, setNameservers, setSearchPaths, updateSplitDns } from "../../domain/dns.js";
import { forbidden, invalid } from "../../lib/errors.js";
import { can } from "../abilities.js";
import { action, consoleDeps } from "../actions.js";
import { field, rawField, type ConsoleApp } from "../context.js";
import { Badge, Csrf, Page, render, TableWrap } from "../ui.js";

/** One entry a line (commas and spaces also separate), as a list. */
function lines(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const back = () => "/admin/dns";

export function registerDns(app: ConsoleApp): void {
  app.get("/dns", async (c) => {
    const actor = c.get("actor");
    if (!can(actor, "dns:read")) throw forbidden();
    const dns = await getDns(consoleDeps(c), actor);
    const write = can(actor, "dns");
    const csrf = c.get("session").csrfToken;
    const split = Object.entries(dns.splitDns).sort(([a], [b]) => a.localeCompare(b));
    return render(
      c,
      <Page c={c} title="DNS" active="dns">
        <p class="lead">The DNS settings machines of the tailnet receive.</p>

        <section class="card" aria-labelledby="h-magic" id="magic-dns">
          <h2 id="h-magic">MagicDNS</h2>
          <p>
            {dns.magicDNS ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>} Machines reach each other by their names in the
            tailnet's DNS domain. It needs at least one nameserver.
          </p>
          {write && (
            <form method="post" action="/admin/dns/magic" class="actions">
              <Csrf token={csrf} />
              <input type="hidden" name="on" value={dns.magicDNS ? "false" : "true"} />
              <button type="submit" class={dns.magicDNS ? "button secondary" : "button"}>
                {dns.magicDNS ? "Disable MagicDNS" : "Enable MagicDNS"}
              </button>
            </form>
          )}
        </section>

        <section class="card" aria-labelledby="h-ns" id="nameservers">
          <h2 id="h-ns">Global nameservers</h2>
          {write ? (
            <form method="post" action="/admin/dns/nameservers" class="stack">
              <Csrf token={csrf} />
              <div class="field">
                <label for="ns">Nameservers (one a line: IP addresses or https:// DNS-over-HTTPS URLs)</label>
                <textarea id="ns" name="nameservers" rows={4} class="mono" spellcheck={false}>
                  {"\n" + dns.nameservers.map((r) => r.address).join("\n")}
                </textarea>
              </div>
              <div>
                <button type="submit" class="button">
                  Save nameservers
                </button>
              </div>
            </form>
          ) : dns.nameservers.length ? (
            <ul class="plain mono">
              {dns.nameservers.map((r) => (
                <li>{r.address}</li>
              ))}
            </ul>
          ) : (
            <p class="empty">None.</p>
          )}
        </section>

        <section class="card" aria-labelledby="h-search" id="search-paths">
          <h2 id="h-search">Search domains</h2>
          {write ? (
            <form method="post" action="/admin/dns/search-paths" class="stack">
              <Csrf token={csrf} />
              <div class="field">
                <label for="search">Search domains (one a line)</label>
                <textarea id="search" name="searchPaths" rows={3} class="mono" spellcheck={false}>
                  {"\n" + dns.searchPaths.join("\n")}
                </textarea>
              </div>
              <div>
                <button type="submit" class="button">
                  Save search domains
                </button>
              </div>
            </form>
          ) : dns.searchPaths.length ? (
            <ul class="plain mono">
              {dns.searchPaths.map((s) => (
                <li>{s}</li>
              ))}
            </ul>
          ) : (
            <p class="empty">None.</p>
          )}
        </section>

        <section class="card" aria-labelledby="h-split" id="split-dns">
          <h2 id="h-split">Split DNS</h2>
          <p class="hint">Names under a domain are resolved by that domain's nameservers.</p>
          {split.length === 0 ? (
            <p class="empty">No split DNS domains.</p>
          ) : (
            <TableWrap label="Split DNS domains">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Domain</th>
                    <th scope="col">Nameservers</th>
                    {write && (
                      <th scope="col">
                        <span class="visually-hidden">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {split.map(([domain, rs]) => (
                    <tr>
                      <th scope="row" class="mono">
                        {domain}
                      </th>
                      <td class="mono">{rs.map((r) => r.address).join(", ")}</td>
                      {write && (
                        <td>
                          <form method="post" action="/admin/dns/split/delete" class="inline">
                            <Csrf token={csrf} />
                            <input type="hidden" name="domain" value={domain} />
                            <button type="submit" class="link danger" aria-label={`Remove ${domain}`}>
                              Remove
                            </button>
                          </form>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          {write && (
            <form method="post" action="/admin/dns/split" class="grid">
              <Csrf token={csrf} />
              <div class="field">
                <label for="split-domain">Domain</label>
                <input id="split-domain" name="domain" required placeholder="corp.example.com" autocomplete="off" spellcheck={false} />
              </div>
              <div class="field">
                <label for="split-ns">Its nameservers</label>
                <input id="split-ns" name="nameservers" required placeholder="10.0.0.53, 10.0.0.54" autocomplete="off" spellcheck={false} />
              </div>
              <div class="field actions-inline">
                <button type="submit" class="button">
                  Add domain
                </button>
              </div>
            </form>
          )}
        </section>
      </Page>,
    );
  });

  action(app, "/dns/magic", {
    scope: "dns",
    back,
    run: async (c, form, d) => {
      const on = field(form, "on") === "true";
      await setMagicDns(d, c.get("actor"), on);
      return { to: back(), text: on ? "MagicDNS enabled." : "MagicDNS disabled." };
    },
  });

  action(app, "/dns/nameservers", {
    scope: "dns",
    back,
    run: async (c, form, d) => {
      const before = (await getDns(d, c.get("actor"))).magicDNS;
      const r = await setNameservers(d, c.get("actor"), lines(rawField(form, "nameservers")));
      const off = before && !r.magicDNS ? " MagicDNS was turned off: it needs a nameserver." : "";
      return { to: back(), text: `Nameservers saved (${r.nameservers.length}).${off}` };
    },
  });

  action(app, "/dns/search-paths", {
    scope: "dns",
    back,
    run: async (c, form, d) => {
      const r = await setSearchPaths(d, c.get("actor"), lines(rawField(form, "searchPaths")));
      return { to: back(), text: `Search domains saved (${r.searchPaths.length}).` };
    },
  });

  action(app, "/dns/split", {
    scope: "dns",
    back,
    run: async (c, form, d) => {
      const domain = field(form, "domain");
      const ns = lines(field(form, "nameservers"));
      if (!domain || ns.length === 0) throw invalid("give a domain and at least one nameserver for it");
      await updateSplitDns(d, c.get("actor"), { [domain]: ns }, false);
      return { to: back(), text: `Split DNS for ${domain} saved.` };
    },
  });

  action(app, "/dns/split/delete", {
    scope: "dns",
    back,
    run: async (c, form, d) => {
      const domain = field(form, "domain");
      await updateSplitDns(d, c.get("actor"), { [domain]: null }, false);
      return { to: back(), text: `Split DNS for ${domain} removed.` };
    },
  });
}
