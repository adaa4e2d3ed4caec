-- Device management: an admin's expiry, node reports, the policy file.

-- POST /device/{id}/expire expires the node key at once, whatever key_expiry_disabled says;
-- the device is back only after registering again.
ALTER TABLE devices ADD COLUMN key_expired boolean NOT NULL DEFAULT false;

-- Ephemeral devices silent for the ephemeral timeout are hidden at once and swept later.
CREATE INDEX devices_ephemeral_idx ON devices (tailnet_id, last_seen) WHERE is_ephemeral;

-- The tailnet policy file, stored exactly as posted (HuJSON: comments and trailing commas kept).
-- No row means the default policy, never changed (or reset to it).
CREATE TABLE policies (
  tailnet_id  bigint PRIMARY KEY REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  text        text NOT NULL,
  etag        text NOT NULL,
  updated_at  timestamptz NOT NULL
);
