import { describe, expect, it } from "vitest";
import { seedDevices, seedPostureAndShares } from "../../bench/seed.js";
import { explainListDevices, likePrefix, NAMES_LIKE } from "../../src/db/devices.js";
import { query } from "../../src/db/sql.js";
import { presenceNow } from "../../src/domain/deps.js";
import { seedTailnet, testDeps, testSql } from "../helpers.js";

/** Flat cost as a tailnet grows: the filtered lists and the registration name lookup use indexes, not scans. */
describe("indexes a large tailnet relies on", () => {
  it("a list filtered by tags, hostname or name is read through an index", async () => {
    const t = await seedTailnet();
    await seedDevices(testSql(), t.tailnet.tailnetId, t.owner.userId, 3000);
    await query(testSql(), `UPDATE devices SET tags = '{tag:rare}' WHERE tailnet_id = $1 AND hostname = 'bench-host-00042'`, [t.tailnet.tailnetId]);
    await testSql().unsafe("ANALYZE devices");
    const p = presenceNow(testDeps());
    const plans = {
      tags: await explainListDevices(testSql(), t.tailnet.tailnetId, p, { shared: true, narrow: { tags: ["tag:rare"] } }),
      hostname: await explainListDevices(testSql(), t.tailnet.tailnetId, p, { shared: true, narrow: { hostname: "bench-host-00042" } }),
      name: await explainListDevices(testSql(), t.tailnet.tailnetId, p, { shared: true, narrow: { nameLabel: "bench-host-00042" } }),
    };
    expect(plans.tags).toMatch(/devices_tags_idx/);
    expect(plans.hostname).toMatch(/devices_hostname_idx/);
    expect(plans.name).toMatch(/devices_name_(key|pattern_idx)/);
    for (const [what, plan] of Object.entries(plans)) expect(plan, what).not.toMatch(/Seq Scan on devices/);
  }, 60_000);

  it("the full list is read in its order from an index: the first rows leave PostgreSQL before the last are read", async () => {
    const t = await seedTailnet();
    await seedDevices(testSql(), t.tailnet.tailnetId, t.owner.userId, 10_000);
    const other = await seedTailnet();
    await seedPostureAndShares(testSql(), t.tailnet.tailnetId, { tailnetId: other.tailnet.tailnetId, userId: other.owner.userId }, t.owner.userId, 0);
    await testSql().unsafe("ANALYZE devices");
    const p = presenceNow(testDeps());
    for (const posture of [false, true]) {
      // The tailnet's own devices (the shared-in ones are a second, small statement, merged in).
      const own = await explainListDevices(testSql(), t.tailnet.tailnetId, p, { posture, shared: false });
      expect(own, `posture ${posture}`).toMatch(/devices_list_order_idx/);
      // No sort of the list; with posture, each device's own attributes are read by key and put in
      // order (a few rows each: PostgreSQL 16 on shows that as a Sort under the aggregate, 15 sorts
      // inside the aggregate).
      const [list, perDevice = ""] = own.split(/\n\s*SubPlan/);
      expect(list, `posture ${posture}`).not.toMatch(/Sort/);
      if (posture) {
        expect(perDevice).toMatch(/posture_attributes_pkey/);
        for (const key of perDevice.match(/Sort Key: .*/g) ?? []) expect(key).toMatch(/^Sort Key: \(length\(pa\.key\)\), pa\.key/);
      }
    }
  }, 60_000);

  it("picking a unique name at registration reads only the names that start with the label", async () => {
    const t = await seedTailnet();
    await seedDevices(testSql(), t.tailnet.tailnetId, t.owner.userId, 3000);
    await testSql().unsafe("ANALYZE devices");
    const text = (await testSql().unsafe(`EXPLAIN ${NAMES_LIKE}`, [t.tailnet.tailnetId, likePrefix("bench-host-0004")]))
      .map((r) => (r as Record<string, string>)["QUERY PLAN"])
      .join("\n");
    expect(text).toMatch(/devices_name_pattern_idx/);
    expect(text).not.toMatch(/Seq Scan/);
  }, 60_000);
});
