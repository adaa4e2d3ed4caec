-- Webhook endpoints and their transactional outbox. An event is written in
-- the transaction of the change that caused it, one outbox row per
-- subscribed endpoint; any replica claims due rows (FOR UPDATE SKIP LOCKED,
-- with a lease) and records every attempt.
CREATE TABLE webhook_endpoints (
  tailnet_id       bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  endpoint_id      text NOT NULL,
  endpoint_url     text NOT NULL,
  provider_type    text NOT NULL DEFAULT '',
  subscriptions    text[] NOT NULL,
  creator_login    text NOT NULL DEFAULT '',
  -- The signing secret, encrypted (JWE) with the master key whose fingerprint
  -- is master_key_id: it must sign, so it cannot be a hash; it is never read back.
  secret_jwe       text NOT NULL,
  master_key_id    text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, endpoint_id)
);

CREATE TABLE webhook_outbox (
  tailnet_id       bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  job_id           bigint GENERATED ALWAYS AS IDENTITY,
  endpoint_id      text NOT NULL,
  event_type       text NOT NULL,
  event            jsonb NOT NULL,          -- one Tailscale event object; the body is [event]
  created_at       timestamptz NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,             -- a replica holds the job until then
  finished_at      timestamptz,
  PRIMARY KEY (tailnet_id, job_id),
  FOREIGN KEY (tailnet_id, endpoint_id) REFERENCES webhook_endpoints (tailnet_id, endpoint_id) ON DELETE CASCADE
);
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_outbox_endpoint_idx ON webhook_outbox (tailnet_id, endpoint_id);

CREATE TABLE webhook_attempts (
  tailnet_id       bigint NOT NULL,
  job_id           bigint NOT NULL,
  attempt          integer NOT NULL,
  started_at       timestamptz NOT NULL,
  duration_ms      integer NOT NULL,
  status_code      integer,                 -- null when no answer came (refused, timeout, blocked)
  error            text NOT NULL DEFAULT '',
  replica          text NOT NULL DEFAULT '',
  PRIMARY KEY (tailnet_id, job_id, attempt),
  FOREIGN KEY (tailnet_id, job_id) REFERENCES webhook_outbox (tailnet_id, job_id) ON DELETE CASCADE
);

-- Devices remember which key expiry they were told about, so the expiry
-- sweep (any replica, any number of times) emits each event once.
ALTER TABLE devices ADD COLUMN expiring_notified_for timestamptz;
ALTER TABLE devices ADD COLUMN expired_notified_for timestamptz;
