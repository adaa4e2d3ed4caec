-- The configuration audit log: one row per change, written in the same
-- transaction as the change itself (src/domain/audit.ts). Values are the
-- wire values of the changed property, never secrets.
CREATE TABLE audit_log (
  tailnet_id       bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  entry_id         bigint GENERATED ALWAYS AS IDENTITY,
  event_time       timestamptz NOT NULL,
  event_group_id   text NOT NULL,          -- one per operation (request, CLI command)
  request_id       text NOT NULL,
  origin           text NOT NULL CHECK (origin IN ('api', 'cli', 'node', 'system')),
  actor_type       text NOT NULL,          -- USER, NODE, OAUTH_CLIENT, AUTOMATED_WORKER
  actor_id         text NOT NULL,
  actor_login      text NOT NULL DEFAULT '',
  actor_display    text NOT NULL DEFAULT '',
  actor_tags       text[] NOT NULL DEFAULT '{}',
  credential_id    text NOT NULL DEFAULT '', -- the API key or OAuth client that acted
  action           text NOT NULL,          -- CREATE, UPDATE, DELETE, ...
  target_type      text NOT NULL,          -- NODE, API_KEY, TAILNET, WEBHOOK_ENDPOINT, ...
  target_id        text NOT NULL,
  target_name      text NOT NULL DEFAULT '',
  target_property  text NOT NULL DEFAULT '',
  target_ephemeral boolean,
  old_value        jsonb,
  new_value        jsonb,
  details          text NOT NULL DEFAULT '',
  PRIMARY KEY (tailnet_id, entry_id)
);
CREATE INDEX audit_log_time_idx ON audit_log (tailnet_id, event_time, entry_id);
