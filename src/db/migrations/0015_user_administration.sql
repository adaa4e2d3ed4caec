-- Users as Tailscale's users API shows them, and what deleting one means.

-- Every role Tailscale's API knows (kb/1138).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('owner', 'admin', 'it-admin', 'network-admin', 'billing-admin', 'auditor', 'member'));
-- 'shared': a user of another tailnet a device was shared with (imported from a real tailnet).
ALTER TABLE users ADD COLUMN user_type text NOT NULL DEFAULT 'member' CHECK (user_type IN ('member', 'shared'));
-- A suspended user's API keys and personal devices stop working until restored.
ALTER TABLE users ADD COLUMN suspended_at timestamptz;
-- A user waiting for approval (user approval on) is refused like a suspended one.
ALTER TABLE users ADD COLUMN approved boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN profile_pic_url text NOT NULL DEFAULT '';
-- When the user was last seen other than through a device (imported); devices' reports count too.
ALTER TABLE users ADD COLUMN last_seen timestamptz;

-- Deleting a user removes their personal devices, API keys and auth keys
-- (the domain does it, in one transaction); tagged devices they registered
-- stay, owned by their tags, and so do OAuth clients they created. So these
-- references no longer cascade: a user row still referenced cannot go.
ALTER TABLE devices DROP CONSTRAINT devices_tailnet_id_user_id_fkey;
ALTER TABLE devices ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE devices ADD CONSTRAINT devices_tailnet_id_user_id_fkey
  FOREIGN KEY (tailnet_id, user_id) REFERENCES users (tailnet_id, user_id);
CREATE INDEX devices_user_idx ON devices (tailnet_id, user_id);

ALTER TABLE keys DROP CONSTRAINT keys_tailnet_id_user_id_fkey;
ALTER TABLE keys ADD CONSTRAINT keys_tailnet_id_user_id_fkey
  FOREIGN KEY (tailnet_id, user_id) REFERENCES users (tailnet_id, user_id);
CREATE INDEX keys_user_idx ON keys (tailnet_id, user_id) WHERE user_id IS NOT NULL;

-- Shared-in devices imported from a real tailnet have no machine key (""):
-- only real machine keys are unique.
DROP INDEX devices_machine_key_key;
CREATE UNIQUE INDEX devices_machine_key_key ON devices (tailnet_id, machine_key) WHERE machine_key <> '';
