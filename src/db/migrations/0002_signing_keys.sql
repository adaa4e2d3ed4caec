-- Per-tailnet signing keys for OAuth access tokens (JWTs). Public keys are
-- stored in clear so every replica verifies every token; private keys are
-- stored as JWEs encrypted with a master key (TAILAPI_ENCRYPTION_KEY).
CREATE TABLE signing_keys (
  tailnet_id    bigint NOT NULL REFERENCES tailnets (tailnet_id) ON DELETE CASCADE,
  kid           text NOT NULL,
  alg           text NOT NULL,
  public_jwk    jsonb NOT NULL,
  private_jwe   text NOT NULL,
  master_key_id text NOT NULL,        -- fingerprint of the master key that encrypted private_jwe
  created_at    timestamptz NOT NULL,
  sign_until    timestamptz NOT NULL, -- new tokens are signed with it until then
  verify_until  timestamptz NOT NULL, -- its tokens verify until then (sign_until + token lifetime)
  PRIMARY KEY (tailnet_id, kid)
);
CREATE INDEX signing_keys_active_idx ON signing_keys (tailnet_id, sign_until);
