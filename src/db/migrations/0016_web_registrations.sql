-- Web authentication: a node registering without an auth key waits here
-- until an admin approves it (`tailapi nodes register --user U --key K`),
-- for at most 15 minutes. Once approved, `device_id` is the device made for
-- it, and the node's next registration with the same machine key collects
-- its node token (and the row goes).
CREATE TABLE registrations (
  tailnet_id        bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  registration_key  text NOT NULL,
  machine_key       text NOT NULL,
  node_key          text NOT NULL,
  hostname          text NOT NULL,
  os                text NOT NULL DEFAULT '',
  os_version        text NOT NULL DEFAULT '',
  client_version    text NOT NULL DEFAULT '',
  advertise_routes  text[] NOT NULL DEFAULT '{}',
  advertise_tags    text[] NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  device_id         bigint,
  PRIMARY KEY (tailnet_id, registration_key),
  FOREIGN KEY (tailnet_id, device_id) REFERENCES devices (tailnet_id, device_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX registrations_machine_key_key ON registrations (tailnet_id, machine_key);
-- The authUrl page finds a registration by its key alone (it names no tailnet).
CREATE INDEX registrations_key_idx ON registrations (registration_key);
