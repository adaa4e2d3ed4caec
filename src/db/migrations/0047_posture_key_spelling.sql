-- Each posture attribute carries its key's spelling, so a device read
-- aggregates a device's attributes from posture_attributes alone: joining the
-- tailnet's keys for every device cost a 10,000-device `fields=all` list about
-- a fifth of PostgreSQL's time (src/db/devices.ts). The spelling is the key's
-- own: the foreign key below makes it so, and the key's row (so its spelling)
-- cannot change while any attribute uses it.
ALTER TABLE posture_attributes ADD COLUMN key text;
UPDATE posture_attributes a SET key = k.key
  FROM posture_attribute_keys k
 WHERE k.tailnet_id = a.tailnet_id AND k.key_lower = a.key_lower;
ALTER TABLE posture_attributes ALTER COLUMN key SET NOT NULL;
ALTER TABLE posture_attribute_keys ADD CONSTRAINT posture_attribute_keys_spelling_key UNIQUE (tailnet_id, key_lower, key);
ALTER TABLE posture_attributes ADD CONSTRAINT posture_attributes_key_spelling_fkey
  FOREIGN KEY (tailnet_id, key_lower, key) REFERENCES posture_attribute_keys (tailnet_id, key_lower, key);
-- The composite key covers what the first one checked.
ALTER TABLE posture_attributes DROP CONSTRAINT posture_attributes_tailnet_id_key_lower_fkey;
