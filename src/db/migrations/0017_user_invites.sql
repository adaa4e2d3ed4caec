-- User invites: whoever holds an invite's code may join the tailnet with its
-- role, once. The code is shown once (in the answer that creates the invite);
-- only a SHA-256 of its secret part is stored.
CREATE TABLE user_invites (
  tailnet_id          bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  invite_id           bigint NOT NULL,
  secret_hash         bytea NOT NULL,
  role                text NOT NULL CHECK (role IN ('admin', 'it-admin', 'network-admin', 'billing-admin', 'auditor', 'member')),
  email               text NOT NULL DEFAULT '',
  inviter_id          bigint,
  created_at          timestamptz NOT NULL,
  last_email_sent_at  timestamptz,
  PRIMARY KEY (tailnet_id, invite_id)
);
-- Accepting names the invite by its code, before the tailnet is known.
CREATE INDEX user_invites_id_idx ON user_invites (invite_id);
