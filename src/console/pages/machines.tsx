/** @jsxImportSource hono/jsx */
import { forbidden, invalid } from "../../lib/errors.js";
import {
  deleteDevice,
  expireDevice,
  getDevice,
  listDevices,
  setDeviceAuthorized,
  setDeviceIPv4,
  setDeviceKeyExpiry,
  setDeviceName,
  setDeviceRoutes,
  setDeviceTags,
  type Device,
} from "../../domain/devices.js";
import type { Actor } from "../../domain/actor.js";
import { applicableTags } from "../../domain/policies.js";
import { deletePostureAttribute, getPostureAttributes, setPostureAttribute, type PostureAttributes } from "../../domain/posture.js";
import { createDeviceInvites, deleteDeviceInvite, listDeviceInvites, type DeviceInvite } from "../../domain/sharing.js";
import { canonicalCidr } from "../../domain/subnets.js";
import { can, mayAdministerDevice, mayChangeDevice, mayShare, mayWritePosture } from "../abilities.js";
import { action, consoleDeps } from "../actions.js";
import { checked, field, fields, type CC, type ConsoleApp } from "../context.js";
import { Badge, Confirm, Csrf, Page, render, TableWrap, Time } from "../ui.js";

const EXIT_ROUTES = ["0.0.0.0/0", "::/0"];
export const TAGGED = "tagged-devices";

/** What a row says about a machine's owner: its user, or tagged-devices (as Tailscale's console). */
export function ownerOf(d: Device): string {
  return d.tags.length > 0 && !d.isExternal ? TAGGED : d.userLogin;
}

function expired(d: Device, now: Date): boolean {
  return !d.keyExpiryDisabled && d.expires !== null && Date.parse(d.expires) <= now.getTime();
}

export function Status(props: { d: Device; now: Date }) {
  const d = props.d;
  return (
    <span class="status">
      {d.connectedToControl ? <Badge tone="ok">Connected</Badge> : <Time at={d.lastSeen} now={props.now} empty="Never seen" />}
    </span>
  );
}

export function Expiry(props: { d: Device; now: Date }) {
  const d = props.d;
  if (d.isExternal) return <span class="muted">—</span>;
  if (d.keyExpiryDisabled) return <span class="muted">Expiry disabled</span>;
  if (expired(d, props.now)) return <Badge tone="warn">Expired</Badge>;
  return <Time at={d.expires} now={props.now} empty="—" />;
}

function Flags(props: { d: Device }) {
  const d = props.d;
  const pending = d.advertisedRoutes.filter((r) => !d.enabledRoutes.includes(r));
  return (
    <>
      {!d.authorized && <Badge tone="warn">Needs approval</Badge>}
      {d.isExternal && <Badge tone="info">Shared in</Badge>}
      {d.isEphemeral && <Badge>Ephemeral</Badge>}
      {pending.length > 0 && !d.isExternal && <Badge tone="info">Routes awaiting approval</Badge>}
    </>
  );
}

/** The machines table, used by the Machines page and a user's page. */
export function MachineTable(props: { devices: Device[]; now: Date; label: string }) {
  if (props.devices.length === 0) return <p class="empty">No machines.</p>;
  return (
    <TableWrap label={props.label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Machine</th>
            <th scope="col">User</th>
            <th scope="col">Addresses</th>
            <th scope="col">Tags</th>
            <th scope="col">OS</th>
            <th scope="col">Last seen</th>
            <th scope="col">Key expiry</th>
          </tr>
        </thead>
        <tbody>
          {props.devices.map((d) => (
            <tr>
              <th scope="row">
                <a href={`/admin/machines/${encodeURIComponent(d.nodeId)}`}>{d.name}</a>
                {d.hostname !== d.name && <div class="sub">{d.hostname}</div>}
                <div class="flags">
                  <Flags d={d} />
                </div>
              </th>
              <td>{ownerOf(d)}</td>
              <td class="mono">
                <div>{d.ipv4}</div>
                <div class="sub">{d.ipv6}</div>
              </td>
              <td>{d.tags.length ? d.tags.map((t) => <Badge tone="info">{t}</Badge>) : <span class="muted">—</span>}</td>
              <td>
                {d.os || <span class="muted">—</span>}
                {(d.osVersion || d.clientVersion) && <div class="sub">{[d.osVersion, d.clientVersion && `Tailscale ${d.clientVersion}`].filter(Boolean).join(" · ")}</div>}
              </td>
              <td>
                <Status d={d} now={props.now} />
              </td>
              <td>
                <Expiry d={d} now={props.now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

type Filters = { q: string; user: string; tag: string; status: string; os: string };

function filterDevices(devices: Device[], f: Filters): Device[] {
  const q = f.q.toLowerCase();
  return devices.filter((d) => {
    if (q) {
      const hay = [d.name, d.hostname, d.ipv4, d.ipv6, d.userLogin, d.os, ...d.tags].join(" ").toLowerCase();
      if (!hay.includes(q)) return false;
    }
    if (f.user && ownerOf(d) !== f.user) return false;
    if (f.tag && !d.tags.includes(f.tag)) return false;
    if (f.status === "online" && !d.connectedToControl) return false;
    if (f.status === "offline" && d.connectedToControl) return false;
    if (f.status === "needs-approval" && d.authorized) return false;
    if (f.os && d.os !== f.os) return false;
    return true;
  });
}

function Select(props: { name: string; label: string; value: string; options: string[]; all: string }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Rows a page shows at most; a bigger tailnet is narrowed with the search and filters. */
export const PAGE_ROWS = 500;

const uniq = (xs: string[]) => [...new Set(xs.filter(Boolean))].sort();

function requireRead(actor: Actor): void {
  if (!can(actor, "devices:core:read")) throw forbidden();
}

const machinePath = (id: string) => `/admin/machines/${encodeURIComponent(id)}`;

export function registerMachines(app: ConsoleApp): void {
  app.get("/machines", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const all = await listDevices(d, actor);
    const f: Filters = {
      q: c.req.query("q")?.trim() ?? "",
      user: c.req.query("user") ?? "",
      tag: c.req.query("tag") ?? "",
      status: c.req.query("status") ?? "",
      os: c.req.query("os") ?? "",
    };
    const shown = filterDevices(all, f);
    const now = d.clock.now();
    const filtered = Object.values(f).some(Boolean);
    return render(
      c,
      <Page c={c} title="Machines" active="machines" wide>
        <p class="lead">
          {all.length} machine{all.length === 1 ? "" : "s"} in {actor.tailnetName}. Add one by registering it with an auth key (
          <a href="/admin/keys">Keys</a>)
          {can(actor, "devices:core") && (
            <>
              , or approve one that waits for an admin (<a href="/admin/registrations">Register a machine</a>)
            </>
          )}
          .
        </p>
        <form method="get" action="/admin/machines" class="filters" role="search" aria-label="Filter machines">
          <div class="field grow">
            <label for="f-q">Search</label>
            <input id="f-q" type="search" name="q" value={f.q} placeholder="Name, address, user, tag" />
          </div>
          <Select name="user" label="User" value={f.user} options={uniq(all.map(ownerOf))} all="All users" />
          <Select name="tag" label="Tag" value={f.tag} options={uniq(all.flatMap((x) => x.tags))} all="All tags" />
          <div class="field">
            <label for="f-status">Status</label>
            <select id="f-status" name="status">
              <option value="">Any status</option>
              {[
                ["online", "Connected"],
                ["offline", "Offline"],
                ["needs-approval", "Needs approval"],
              ].map(([v, l]) => (
                <option value={v} selected={f.status === v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <Select name="os" label="OS" value={f.os} options={uniq(all.map((x) => x.os))} all="Any OS" />
          <div class="field actions-inline">
            <button type="submit" class="button">
              Filter
            </button>
            {filtered && (
              <a href="/admin/machines" class="button secondary">
                Clear
              </a>
            )}
          </div>
        </form>
        {(filtered || shown.length > PAGE_ROWS) && (
          <p class="muted" role="status">
            {filtered ? `${shown.length} of ${all.length} machines match.` : ""}
            {shown.length > PAGE_ROWS ? ` The first ${PAGE_ROWS} are shown: narrow the list with the search and filters.` : ""}
          </p>
        )}
        <MachineTable devices={shown.slice(0, PAGE_ROWS)} now={now} label="Machines" />
      </Page>,
    );
  });

  app.get("/machines/:id", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const d = consoleDeps(c);
    const device = await getDevice(d, actor, c.req.param("id"));
    const [tags, posture, invites] = await Promise.all([
      mayChangeDevice(actor, device) ? applicableTags(d, actor) : Promise.resolve([] as string[]),
      !device.isExternal && can(actor, "devices:posture_attributes:read") ? getPostureAttributes(d, actor, device.nodeId) : Promise.resolve(undefined),
      !device.isExternal && can(actor, "device_invites:read") ? listDeviceInvites(d, actor, device.nodeId) : Promise.resolve(undefined),
    ]);
    const origin = new URL(c.req.url).origin;
    return render(
      c,
      <MachinePage c={c} device={device} tags={tags} posture={posture} invites={invites} now={d.clock.now()} inviteBase={`${origin}/admin/invite/`} />,
    );
  });

  app.get("/machines/:id/delete", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const device = await getDevice(consoleDeps(c), actor, c.req.param("id"));
    const path = machinePath(device.nodeId);
    return render(
      c,
      <Page c={c} title={`Delete ${device.name}?`} active="machines">
        <Confirm csrf={c.get("session").csrfToken} action={`${path}/delete`} button="Delete machine" back={path}>
          <p>
            <strong>{device.name}</strong> ({device.ipv4}) is removed from the tailnet, with its posture attributes, its invites and every share of
            it in other tailnets. To come back it must register again with an auth key. This cannot be undone.
          </p>
        </Confirm>
      </Page>,
    );
  });

  app.get("/machines/:id/expire", async (c) => {
    const actor = c.get("actor");
    requireRead(actor);
    const device = await getDevice(consoleDeps(c), actor, c.req.param("id"));
    const path = machinePath(device.nodeId);
    return render(
      c,
      <Page c={c} title={`Expire the key of ${device.name}?`} active="machines">
        <Confirm csrf={c.get("session").csrfToken} action={`${path}/expire`} button="Expire key" back={path}>
          <p>
            The machine's node key expires now, whether or not key expiry is disabled: it is refused until it registers again (re-authenticates)
            with its machine key.
          </p>
        </Confirm>
      </Page>,
    );
  });

  const back = (c: CC) => machinePath(c.req.param("id")!);
  const id = (c: CC) => c.req.param("id")!;

  action(app, "/machines/:id/name", {
    scope: "devices:core",
    back,
    run: async (c, form, d) => {
      const name = field(form, "name");
      await setDeviceName(d, c.get("actor"), id(c), name);
      return { to: back(c), text: name ? `Renamed to ${name.toLowerCase()}.` : "Name reset to the hostname's." };
    },
  });

  action(app, "/machines/:id/tags", {
    scope: "devices:core",
    back,
    run: async (c, form, d) => {
      const tags = fields(form, "tags");
      await setDeviceTags(d, c.get("actor"), id(c), tags);
      return { to: back(c), text: tags.length ? `Tags set: ${[...new Set(tags)].sort().join(", ")}.` : "Tags removed." };
    },
  });

  action(app, "/machines/:id/routes", {
    scope: "devices:routes",
    back,
    run: async (c, form, d) => {
      const extra = field(form, "more").split(/[\s,]+/).filter(Boolean);
      const wanted = [...fields(form, "routes"), ...(checked(form, "exit") ? EXIT_ROUTES : []), ...extra];
      for (const r of wanted) {
        if (canonicalCidr(r) === undefined) throw invalid(`${JSON.stringify(r)} is not a route: use a prefix with no host bits set, such as 10.0.0.0/24`);
      }
      const res = await setDeviceRoutes(d, c.get("actor"), id(c), wanted.map((r) => canonicalCidr(r)!));
      return { to: back(c), text: res.enabledRoutes.length ? `Approved routes: ${res.enabledRoutes.join(", ")}.` : "No routes approved." };
    },
  });

  action(app, "/machines/:id/authorized", {
    scope: "devices:core",
    back,
    run: async (c, form, d) => {
      const authorized = field(form, "authorized") === "true";
      await setDeviceAuthorized(d, c.get("actor"), id(c), authorized);
      return { to: back(c), text: authorized ? "Machine approved." : "Machine de-authorized: the node API refuses it until it is approved again." };
    },
  });

  action(app, "/machines/:id/key-expiry", {
    scope: "devices:core",
    back,
    run: async (c, form, d) => {
      const disabled = field(form, "disabled") === "true";
      await setDeviceKeyExpiry(d, c.get("actor"), id(c), disabled);
      return { to: back(c), text: disabled ? "Key expiry disabled." : "Key expiry enabled again." };
    },
  });

  action(app, "/machines/:id/expire", {
    scope: "devices:core",
    back,
    run: async (c, _form, d) => {
      await expireDevice(d, c.get("actor"), id(c));
      return { to: back(c), text: "Key expired: the machine must re-authenticate." };
    },
  });

  action(app, "/machines/:id/ip", {
    scope: "devices:core",
    back,
    run: async (c, form, d) => {
      const ipv4 = field(form, "ipv4");
      await setDeviceIPv4(d, c.get("actor"), id(c), ipv4);
      return { to: back(c), text: `IPv4 address set to ${ipv4}.` };
    },
  });

  action(app, "/machines/:id/attributes", {
    scope: "devices:posture_attributes",
    back,
    run: async (c, form, d) => {
      const key = field(form, "key");
      const raw = field(form, "value");
      const type = field(form, "type");
      let value: string | number | boolean = raw;
      if (type === "number") {
        if (!/^-?\d+$/.test(raw)) throw invalid(`invalid value for ${key}: ${JSON.stringify(raw)} is not a whole number`);
        value = Number(raw);
      } else if (type === "boolean") {
        if (raw !== "true" && raw !== "false") throw invalid(`invalid value for ${key}: a boolean is true or false`);
        value = raw === "true";
      }
      const expiryLocal = field(form, "expiry");
      const expiry = expiryLocal ? `${expiryLocal.length === 16 ? `${expiryLocal}:00` : expiryLocal}Z` : undefined;
      await setPostureAttribute(d, c.get("actor"), id(c), key, { value, expiry });
      return { to: back(c), text: `Attribute ${key} set.` };
    },
  });

  action(app, "/machines/:id/attributes/delete", {
    scope: "devices:posture_attributes",
    back,
    run: async (c, form, d) => {
      const key = field(form, "key");
      await deletePostureAttribute(d, c.get("actor"), id(c), key);
      return { to: back(c), text: `Attribute ${key} deleted.` };
    },
  });

  action(app, "/machines/:id/invites", {
    scope: "device_invites",
    back,
    run: async (c, form, d) => {
      const email = field(form, "email");
      await createDeviceInvites(d, c.get("actor"), id(c), [
        { multiUse: checked(form, "multiUse"), allowExitNode: checked(form, "allowExitNode"), ...(email ? { email } : {}) },
      ]);
      return { to: `${back(c)}#sharing`, text: "Invite created: send its link to the person you share with." };
    },
  });

  action(app, "/machines/:id/invites/:inviteId/delete", {
    scope: "device_invites",
    back,
    run: async (c, _form, d) => {
      await deleteDeviceInvite(d, c.get("actor"), c.req.param("inviteId")!);
      return { to: `${back(c)}#sharing`, text: "Invite deleted: it can no longer be accepted, and the shares made with it ended." };
    },
  });

  action(app, "/machines/:id/delete", {
    scope: "devices:core",
    back,
    run: async (c, _form, d) => {
      const actor = c.get("actor");
      const device = await getDevice(d, actor, id(c));
      await deleteDevice(d, actor, id(c));
      return { to: "/admin/machines", text: `Machine ${device.name} deleted.` };
    },
  });
}

function Section(props: { id: string; title: string; children?: unknown; intro?: string }) {
  return (
    <section class="card" aria-labelledby={`h-${props.id}`} id={props.id}>
      <h2 id={`h-${props.id}`}>{props.title}</h2>
      {props.intro && <p class="hint">{props.intro}</p>}
      {props.children}
    </section>
  );
}

function MachinePage(props: {
  c: CC;
  device: Device;
  tags: string[];
  posture: PostureAttributes | undefined;
  invites: DeviceInvite[] | undefined;
  now: Date;
  inviteBase: string;
}) {
  const { c, device: d, now } = props;
  const actor = c.get("actor");
  const csrf = c.get("session").csrfToken;
  const path = machinePath(d.nodeId);
  const change = mayChangeDevice(actor, d);
  const admin = mayAdministerDevice(actor, d);
  const routesAdmin = mayAdministerDevice(actor, d, "devices:routes");
  const unownedOnDevice = d.tags.filter((t) => !props.tags.includes(t));
  const routes = [...new Set([...d.advertisedRoutes, ...d.enabledRoutes])].filter((r) => !EXIT_ROUTES.includes(r));
  const exitAdvertised = EXIT_ROUTES.some((r) => d.advertisedRoutes.includes(r));
  const exitEnabled = EXIT_ROUTES.every((r) => d.enabledRoutes.includes(r));
  return (
    <Page c={c} title={d.name} active="machines" crumbs={<a href="/admin/machines">Machines</a>}>
      <div class="flags">
        <Flags d={d} />
      </div>
      <Section id="details" title="Details">
        <dl class="details">
          <dt>Name</dt>
          <dd class="mono">
            {d.name}.{d.dnsSuffix}
          </dd>
          <dt>Hostname</dt>
          <dd>{d.hostname}</dd>
          <dt>{d.isExternal ? "Shared by" : "User"}</dt>
          <dd>{d.isExternal ? d.userLogin : ownerOf(d)}</dd>
          {!d.isExternal && d.tags.length > 0 && (
            <>
              <dt>Registered by</dt>
              <dd>{d.userLogin}</dd>
            </>
          )}
          <dt>Addresses</dt>
          <dd class="mono">
            {d.ipv4}
            <br />
            {d.ipv6}
          </dd>
          <dt>Tags</dt>
          <dd>{d.tags.length ? d.tags.map((t) => <Badge tone="info">{t}</Badge>) : "None"}</dd>
          <dt>OS</dt>
          <dd>{[d.os, d.osVersion].filter(Boolean).join(" ") || "—"}</dd>
          <dt>Tailscale version</dt>
          <dd>{d.clientVersion || "—"}</dd>
          <dt>Status</dt>
          <dd>
            <Status d={d} now={now} />
          </dd>
          <dt>Key expiry</dt>
          <dd>
            <Expiry d={d} now={now} />
          </dd>
          <dt>Approved</dt>
          <dd>{d.authorized ? "Yes" : "No: waiting for an admin"}</dd>
          {d.created && (
            <>
              <dt>Created</dt>
              <dd>
                <Time at={d.created} now={now} />
              </dd>
            </>
          )}
          <dt>Node ID</dt>
          <dd class="mono">{d.nodeId}</dd>
        </dl>
      </Section>

      {change && (
        <Section id="rename" title="Rename" intro="A DNS label; leave it empty to go back to the name derived from the hostname.">
          <form method="post" action={`${path}/name`} class="row">
            <Csrf token={csrf} />
            <div class="field grow">
              <label for="name">Machine name</label>
              <input id="name" name="name" value={d.name} autocomplete="off" spellcheck={false} maxlength={253} />
            </div>
            <button type="submit" class="button">
              Rename
            </button>
          </form>
        </Section>
      )}

      {change && (
        <Section id="tags" title="Tags" intro="A tagged machine belongs to its tags, not to a person. Only tags you own are offered.">
          {unownedOnDevice.length > 0 ? (
            <p>This machine carries tags you do not own ({unownedOnDevice.join(", ")}): only their owners can change its tags.</p>
          ) : props.tags.length === 0 ? (
            <p>
              No tags are yours to apply. Tags are defined in the policy file's <code>tagOwners</code> (<a href="/admin/acl">Access controls</a>).
            </p>
          ) : (
            <form method="post" action={`${path}/tags`}>
              <Csrf token={csrf} />
              <fieldset>
                <legend>Tags of this machine</legend>
                <div class="checks">
                  {props.tags.map((t, i) => (
                    <label class="check" for={`tag-${i}`}>
                      <input type="checkbox" id={`tag-${i}`} name="tags" value={t} checked={d.tags.includes(t)} /> {t}
                    </label>
                  ))}
                </div>
              </fieldset>
              <button type="submit" class="button">
                Save tags
              </button>
            </form>
          )}
        </Section>
      )}

      {!d.isExternal && (routes.length > 0 || exitAdvertised || routesAdmin) && (
        <Section id="routes" title="Subnet routes and exit node" intro="Routes the machine advertises take effect once approved.">
          {routesAdmin ? (
            <form method="post" action={`${path}/routes`}>
              <Csrf token={csrf} />
              {routes.length > 0 && (
                <fieldset>
                  <legend>Subnet routes</legend>
                  <div class="checks">
                    {routes.map((r, i) => (
                      <label class="check" for={`route-${i}`}>
                        <input type="checkbox" id={`route-${i}`} name="routes" value={r} checked={d.enabledRoutes.includes(r)} />{" "}
                        <span class="mono">{r}</span>
                        {!d.advertisedRoutes.includes(r) && <span class="sub"> (approved in advance, not advertised)</span>}
                      </label>
                    ))}
                  </div>
                </fieldset>
              )}
              {(exitAdvertised || exitEnabled) && (
                <label class="check" for="exit">
                  <input type="checkbox" id="exit" name="exit" value="1" checked={exitEnabled} /> Use as exit node
                </label>
              )}
              <div class="field">
                <label for="more">Approve other routes in advance</label>
                <input id="more" name="more" placeholder="10.1.0.0/16, 192.168.1.0/24" autocomplete="off" spellcheck={false} />
              </div>
              <button type="submit" class="button">
                Save routes
              </button>
            </form>
          ) : (
            <ul class="plain">
              {routes.map((r) => (
                <li>
                  <span class="mono">{r}</span> {d.enabledRoutes.includes(r) ? <Badge tone="ok">Approved</Badge> : <Badge tone="warn">Awaiting approval</Badge>}
                </li>
              ))}
              {exitAdvertised && <li>Exit node {exitEnabled ? <Badge tone="ok">Approved</Badge> : <Badge tone="warn">Awaiting approval</Badge>}</li>}
              {routes.length === 0 && !exitAdvertised && <li class="muted">None advertised.</li>}
            </ul>
          )}
        </Section>
      )}

      {admin && (
        <Section id="access" title="Access">
          <div class="button-row">
            <form method="post" action={`${path}/authorized`} class="inline">
              <Csrf token={csrf} />
              <input type="hidden" name="authorized" value={d.authorized ? "false" : "true"} />
              <button type="submit" class={d.authorized ? "button secondary" : "button"}>
                {d.authorized ? "De-authorize" : "Approve machine"}
              </button>
            </form>
            <form method="post" action={`${path}/key-expiry`} class="inline">
              <Csrf token={csrf} />
              <input type="hidden" name="disabled" value={d.keyExpiryDisabled ? "false" : "true"} />
              <button type="submit" class="button secondary">
                {d.keyExpiryDisabled ? "Enable key expiry" : "Disable key expiry"}
              </button>
            </form>
          </div>
          <form method="post" action={`${path}/ip`} class="row">
            <Csrf token={csrf} />
            <div class="field grow">
              <label for="ipv4">Tailscale IPv4 address</label>
              <input id="ipv4" name="ipv4" value={d.ipv4} class="mono" inputmode="decimal" autocomplete="off" spellcheck={false} />
            </div>
            <button type="submit" class="button secondary">
              Set address
            </button>
          </form>
        </Section>
      )}

      {props.posture && (
        <Section id="posture" title="Posture attributes">
          <TableWrap label="Posture attributes">
            <table>
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">Value</th>
                  <th scope="col">Expires</th>
                  {mayWritePosture(actor, d) && (
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {Object.entries(props.posture.attributes).map(([k, v]) => (
                  <tr>
                    <th scope="row" class="mono">
                      {k}
                    </th>
                    <td class="mono">{JSON.stringify(v)}</td>
                    <td>{props.posture!.expiries[k] ? <Time at={props.posture!.expiries[k]} now={now} /> : <span class="muted">—</span>}</td>
                    {mayWritePosture(actor, d) && (
                      <td>
                        {k.startsWith("custom:") && (
                          <form method="post" action={`${path}/attributes/delete`} class="inline">
                            <Csrf token={csrf} />
                            <input type="hidden" name="key" value={k} />
                            <button type="submit" class="link danger" aria-label={`Delete ${k}`}>
                              Delete
                            </button>
                          </form>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {mayWritePosture(actor, d) && (
            <form method="post" action={`${path}/attributes`} class="grid">
              <Csrf token={csrf} />
              <div class="field">
                <label for="attr-key">Key</label>
                <input id="attr-key" name="key" value="custom:" required class="mono" autocomplete="off" spellcheck={false} maxlength={50} />
              </div>
              <div class="field">
                <label for="attr-value">Value</label>
                <input id="attr-value" name="value" required autocomplete="off" spellcheck={false} maxlength={50} />
              </div>
              <div class="field">
                <label for="attr-type">Type</label>
                <select id="attr-type" name="type">
                  <option value="string">Text</option>
                  <option value="number">Number</option>
                  <option value="boolean">true / false</option>
                </select>
              </div>
              <div class="field">
                <label for="attr-expiry">Expires (UTC, optional)</label>
                <input id="attr-expiry" name="expiry" type="datetime-local" />
              </div>
              <div class="field actions-inline">
                <button type="submit" class="button">
                  Set attribute
                </button>
              </div>
            </form>
          )}
        </Section>
      )}

      {props.invites && (
        <Section id="sharing" title="Sharing" intro="Share this machine with a user of another tailnet: they open the invite link and accept it.">
          {props.invites.length === 0 ? (
            <p class="empty">No invites.</p>
          ) : (
            <TableWrap label="Invites">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Invite link</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Accepted by</th>
                    <th scope="col">Created</th>
                    {mayShare(actor, d) && (
                      <th scope="col">
                        <span class="visually-hidden">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {props.invites.map((i) => (
                    <tr>
                      <td class="mono break">{props.inviteBase + i.code}</td>
                      <td>
                        {i.multiUse ? "Multi-use" : "Single use"}
                        {i.allowExitNode && <div class="sub">with exit node</div>}
                        {i.email && <div class="sub">for {i.email}</div>}
                      </td>
                      <td>{i.acceptedBy ? i.acceptedBy.loginName : <span class="muted">Not yet</span>}</td>
                      <td>
                        <Time at={i.created} now={now} />
                      </td>
                      {mayShare(actor, d) && (
                        <td>
                          <form method="post" action={`${path}/invites/${encodeURIComponent(i.inviteId)}/delete`} class="inline">
                            <Csrf token={csrf} />
                            <button type="submit" class="link danger" aria-label={`Delete invite created ${i.created}`}>
                              Delete
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
          {mayShare(actor, d) && (
            <form method="post" action={`${path}/invites`} class="grid">
              <Csrf token={csrf} />
              <label class="check" for="inv-multi">
                <input type="checkbox" id="inv-multi" name="multiUse" value="1" /> Multi-use (up to 1,000 acceptances)
              </label>
              <label class="check" for="inv-exit">
                <input type="checkbox" id="inv-exit" name="allowExitNode" value="1" /> Allow use as exit node
              </label>
              <div class="field">
                <label for="inv-email">Email (optional, no mail is sent)</label>
                <input id="inv-email" name="email" type="email" autocomplete="off" />
              </div>
              <div class="field actions-inline">
                <button type="submit" class="button">
                  Create invite
                </button>
              </div>
            </form>
          )}
        </Section>
      )}

      {change && (
        <Section id="danger" title="Remove">
          <div class="button-row">
            <a class="button secondary" href={`${path}/expire`}>
              Expire key…
            </a>
            <a class="button danger" href={`${path}/delete`}>
              Delete machine…
            </a>
          </div>
        </Section>
      )}
    </Page>
  );
}
