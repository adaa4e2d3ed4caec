-- Posture attributes and device sharing.

-- A custom posture attribute key, once per tailnet: keys are unique without
-- regard to case, and the type of the first value written fixes the key's type
-- for the whole tailnet (the primary key makes two racing first writes agree).
CREATE TABLE posture_attribute_keys (
  tailnet_id  bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  key_lower   text NOT NULL,
  key         text NOT NULL,
  value_type  text NOT NULL CHECK (value_type IN ('string', 'number', 'boolean')),
  PRIMARY KEY (tailnet_id, key_lower)
);

CREATE TABLE posture_attributes (
  tailnet_id  bigint NOT NULL,
  device_id   bigint NOT NULL,
  key_lower   text NOT NULL,
  value       jsonb NOT NULL,
  expires_at  timestamptz,          -- null: no expiry
  comment     text NOT NULL DEFAULT '',
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, device_id, key_lower),
  FOREIGN KEY (tailnet_id, device_id) REFERENCES devices (tailnet_id, device_id) ON DELETE CASCADE,
  FOREIGN KEY (tailnet_id, key_lower) REFERENCES posture_attribute_keys (tailnet_id, key_lower)
);

-- An invitation to share a device with a user of another tailnet. The invite
-- URL is shown on every read (as on Tailscale), so its code is kept as is; it
-- is the one thing looked up without a tailnet id (the accepting user does not
-- know the sharing tailnet), like credentials by key id.
CREATE TABLE device_invites (
  tailnet_id          bigint NOT NULL,
  invite_id           bigint NOT NULL,
  device_id           bigint NOT NULL,
  sharer_user_id      bigint NOT NULL,
  code                text NOT NULL,
  multi_use           boolean NOT NULL DEFAULT false,
  allow_exit_node     boolean NOT NULL DEFAULT false,
  email               text NOT NULL DEFAULT '',
  last_email_sent_at  timestamptz,
  accept_count        integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, invite_id),
  FOREIGN KEY (tailnet_id, device_id) REFERENCES devices (tailnet_id, device_id) ON DELETE CASCADE,
  FOREIGN KEY (tailnet_id, sharer_user_id) REFERENCES users (tailnet_id, user_id) ON DELETE CASCADE
);
CREATE INDEX device_invites_code_idx ON device_invites (code);
CREATE INDEX device_invites_device_idx ON device_invites (tailnet_id, device_id);

-- A device shared into a tailnet (tailnet_id: the accepting one). Reading the
-- accepting tailnet's devices joins the sharing tailnet's device: the one read
-- that crosses tailnets, by design of sharing. Deleting the device (or the
-- invite's sharer) removes the share everywhere.
CREATE TABLE device_shares (
  tailnet_id          bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  source_tailnet_id   bigint NOT NULL,
  device_id           bigint NOT NULL,
  invite_id           bigint NOT NULL,
  accepted_by_user_id bigint NOT NULL,
  allow_exit_node     boolean NOT NULL,
  created_at          timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, source_tailnet_id, device_id),
  FOREIGN KEY (source_tailnet_id, device_id) REFERENCES devices (tailnet_id, device_id) ON DELETE CASCADE,
  FOREIGN KEY (source_tailnet_id, invite_id) REFERENCES device_invites (tailnet_id, invite_id) ON DELETE CASCADE,
  FOREIGN KEY (tailnet_id, accepted_by_user_id) REFERENCES users (tailnet_id, user_id) ON DELETE CASCADE
);
