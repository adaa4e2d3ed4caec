-- Sessions of the web console (/admin). A session is signed in with an API key
-- or an OAuth client (key_id) and is re-checked against that credential on
-- every request. Only a SHA-256 of the session token is stored, so every
-- replica knows every session and a copy of this table signs no one in. The
-- cookie carries the tailnet id beside the token, so the lookup is scoped by
-- tailnet like every other query.
CREATE TABLE console_sessions (
  tailnet_id  bigint NOT NULL,
  token_hash  bytea NOT NULL,
  key_id      text NOT NULL,
  csrf_token  text NOT NULL,
  -- A one-time message for the next page (what a POST did), then cleared.
  flash       jsonb,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tailnet_id, token_hash),
  FOREIGN KEY (tailnet_id, key_id) REFERENCES keys (tailnet_id, key_id) ON DELETE CASCADE
);
CREATE INDEX console_sessions_expiry_idx ON console_sessions (tailnet_id, expires_at);
