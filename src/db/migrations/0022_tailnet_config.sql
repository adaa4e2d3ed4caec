-- Tailnet configuration that automation manages: DNS, settings, contacts,
-- log streaming and posture integrations (stored; tailapi streams no logs and
-- calls no posture provider). One row per tailnet where a table has no other
-- key; a missing row means the defaults.
CREATE TABLE dns_config (
  tailnet_id         bigint PRIMARY KEY REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  nameservers        jsonb NOT NULL DEFAULT '[]',   -- [{address, useWithExitNode}]
  magic_dns          boolean NOT NULL DEFAULT false,
  override_local_dns boolean NOT NULL DEFAULT false,
  search_paths       text[] NOT NULL DEFAULT '{}',
  split_dns          jsonb NOT NULL DEFAULT '{}'    -- {domain: [{address, useWithExitNode}]}
);

CREATE TABLE tailnet_settings (
  tailnet_id                    bigint PRIMARY KEY REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  acls_externally_managed_on    boolean NOT NULL DEFAULT false,
  acls_external_link            text NOT NULL DEFAULT '',
  -- On by default in tailapi: a device joins unauthorized unless its auth key is preauthorized.
  devices_approval_on           boolean NOT NULL DEFAULT false,
  devices_auto_updates_on       boolean NOT NULL DEFAULT false,
  users_approval_on             boolean NOT NULL DEFAULT false,
  users_role_join_external      text NOT NULL DEFAULT 'member',
  network_flow_logging_on       boolean NOT NULL DEFAULT false,
  posture_identity_collection_on boolean NOT NULL DEFAULT false,
  https_enabled                 boolean NOT NULL DEFAULT false,
  route_selection               text NOT NULL DEFAULT 'active-passive-failover' -- regionalRoutingOn is derived from it
);
-- devicesKeyDurationDays is tailnets.key_expiry_seconds (what registration already uses).

CREATE TABLE contacts (
  tailnet_id          bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  contact_type        text NOT NULL CHECK (contact_type IN ('account', 'support', 'security')),
  email               text NOT NULL,
  fallback_email      text NOT NULL DEFAULT '',
  needs_verification  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tailnet_id, contact_type)
);

CREATE TABLE log_streams (
  tailnet_id        bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  log_type          text NOT NULL CHECK (log_type IN ('configuration', 'network')),
  config            jsonb NOT NULL,        -- the configuration as given, without its secrets
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, log_type)
);

CREATE TABLE posture_integrations (
  tailnet_id        bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  integration_id    text NOT NULL,
  provider          text NOT NULL,
  cloud_id          text NOT NULL DEFAULT '',
  client_id         text NOT NULL DEFAULT '',
  tenant_id         text NOT NULL DEFAULT '',
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, integration_id)
);
CREATE UNIQUE INDEX posture_integrations_provider_key ON posture_integrations (tailnet_id, provider);
