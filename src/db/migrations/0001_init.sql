-- Initial schema. Every table carries tailnet_id and every unique index starts
-- with it, so the schema can be distributed by tailnet (e.g. Citus) later.
-- Identifiers that clients see (device id, user id) are random 40-bit-ish
-- integers kept as bigint; the API sends them as strings.

CREATE TABLE tailnets (
  tailnet_id          bigint PRIMARY KEY,
  name                text NOT NULL,
  dns_suffix          text NOT NULL,
  key_expiry_seconds  integer NOT NULL DEFAULT 15552000, -- 180 days
  created_at          timestamptz NOT NULL DEFAULT now()
);
-- The tailnet directory is looked up by name before the tailnet id is known;
-- under a distributed layout this table is a reference (replicated) table.
CREATE UNIQUE INDEX tailnets_name_key ON tailnets (lower(name));

CREATE TABLE users (
  tailnet_id    bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  user_id       bigint NOT NULL,
  login_name    text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tailnet_id, user_id)
);
CREATE UNIQUE INDEX users_login_key ON users (tailnet_id, lower(login_name));

-- Every credential-like key: API access tokens ('api'), auth keys ('auth'),
-- OAuth clients ('client'). Only a SHA-256 of the secret is stored.
CREATE TABLE keys (
  tailnet_id     bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  key_id         text NOT NULL,
  key_type       text NOT NULL CHECK (key_type IN ('api', 'auth', 'client')),
  secret_hash    bytea NOT NULL,
  user_id        bigint,               -- owner (api) or creator (auth, client); null when minted by an OAuth client
  created_by_client text,              -- key_id of the OAuth client that minted it, if any
  description    text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz,          -- null: never (OAuth clients)
  revoked_at     timestamptz,
  reusable       boolean NOT NULL DEFAULT false,
  ephemeral      boolean NOT NULL DEFAULT false,
  preauthorized  boolean NOT NULL DEFAULT false,
  tags           text[] NOT NULL DEFAULT '{}',
  scopes         text[] NOT NULL DEFAULT '{}',
  uses           integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tailnet_id, key_id),
  FOREIGN KEY (tailnet_id, user_id) REFERENCES users (tailnet_id, user_id) ON DELETE CASCADE
);
-- Credentials arrive as tskey-<kind>-<key_id>-<secret>: the lookup by key id
-- is the one query that starts without a tailnet id.
CREATE INDEX keys_key_id_idx ON keys (key_id);
CREATE INDEX keys_type_idx ON keys (tailnet_id, key_type, created_at);

CREATE TABLE devices (
  tailnet_id                  bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  device_id                   bigint NOT NULL,      -- the legacy numeric "id"
  node_id                     text NOT NULL,        -- "nodeId", n…CNTRL
  user_id                     bigint NOT NULL,      -- the user who registered it (owner of untagged devices)
  auth_key_id                 text,
  name                        text NOT NULL,        -- MagicDNS label, unique in the tailnet; FQDN = name.dns_suffix
  hostname                    text NOT NULL,
  os                          text NOT NULL DEFAULT '',
  os_version                  text NOT NULL DEFAULT '',
  client_version              text NOT NULL DEFAULT '',
  update_available            boolean NOT NULL DEFAULT false,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  last_seen                   timestamptz,
  connected_to_control        boolean NOT NULL DEFAULT false,
  key_expiry_disabled         boolean NOT NULL DEFAULT false,
  expires_at                  timestamptz,
  authorized                  boolean NOT NULL DEFAULT false,
  is_external                 boolean NOT NULL DEFAULT false,
  multiple_connections        boolean NOT NULL DEFAULT false,
  machine_key                 text NOT NULL,
  node_key                    text NOT NULL,
  blocks_incoming_connections boolean NOT NULL DEFAULT false,
  tags                        text[] NOT NULL DEFAULT '{}',
  tailnet_lock_key            text NOT NULL DEFAULT '',
  tailnet_lock_error          text NOT NULL DEFAULT '',
  is_ephemeral                boolean NOT NULL DEFAULT false,
  advertised_routes           text[] NOT NULL DEFAULT '{}',
  enabled_routes              text[] NOT NULL DEFAULT '{}',
  ssh_enabled                 boolean NOT NULL DEFAULT false,
  client_connectivity         jsonb,
  posture_identity            jsonb,
  distro                      jsonb,
  ipv4                        inet NOT NULL,
  ipv6                        inet NOT NULL,
  node_secret_hash            bytea NOT NULL,
  PRIMARY KEY (tailnet_id, device_id),
  FOREIGN KEY (tailnet_id, user_id) REFERENCES users (tailnet_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX devices_node_id_key ON devices (tailnet_id, node_id);
CREATE UNIQUE INDEX devices_machine_key_key ON devices (tailnet_id, machine_key);
CREATE UNIQUE INDEX devices_name_key ON devices (tailnet_id, lower(name));
CREATE UNIQUE INDEX devices_ipv4_key ON devices (tailnet_id, ipv4);
CREATE UNIQUE INDEX devices_ipv6_key ON devices (tailnet_id, ipv6);
