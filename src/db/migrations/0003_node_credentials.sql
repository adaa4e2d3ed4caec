-- Node tokens join the other credentials in `keys`: one table, one lookup by
-- key id, one secret check for every kind. A node credential belongs to one
-- device and goes with it. Tokens minted before this migration were never
-- usable (there was no node API to present them to), so their hashes go.
ALTER TABLE keys DROP CONSTRAINT keys_key_type_check;
ALTER TABLE keys ADD CONSTRAINT keys_key_type_check CHECK (key_type IN ('api', 'auth', 'client', 'node'));
ALTER TABLE keys ADD COLUMN device_id bigint;
ALTER TABLE keys ADD CONSTRAINT keys_device_fkey
  FOREIGN KEY (tailnet_id, device_id) REFERENCES devices (tailnet_id, device_id) ON DELETE CASCADE;
CREATE INDEX keys_device_idx ON keys (tailnet_id, device_id) WHERE device_id IS NOT NULL;
ALTER TABLE devices DROP COLUMN node_secret_hash;
