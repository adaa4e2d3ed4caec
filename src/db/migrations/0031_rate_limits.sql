-- Request counts of the rate limiter (src/lib/rate-limit.ts), one row per
-- (bucket, fixed window, replica): each replica overwrites its own rows about
-- once a second, so replicas never contend for a row, and reads the others'
-- sums. Buckets of a credential carry its tailnet; buckets of a source
-- address (token endpoint, node API) and the replicas' heartbeats (bucket '')
-- belong to no tailnet and use tailnet_id 0. Rows of past windows are deleted.
CREATE TABLE rate_limit_counts (
  tailnet_id    bigint NOT NULL,
  bucket        text NOT NULL,
  window_start  bigint NOT NULL,        -- ms since the epoch
  replica       text NOT NULL,
  count         integer NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tailnet_id, bucket, window_start, replica)
);
CREATE INDEX rate_limit_counts_window_idx ON rate_limit_counts (window_start);
