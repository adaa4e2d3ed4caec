-- Every replica caches credential rows for at most a second (src/auth/authenticate.ts).
-- A change to a credential (revoked, deleted, its scopes or tags changed) or to a user
-- (role, removal) is announced on the channel tailapi_credentials so that every
-- replica drops its cached copy at once: the key id, or '*' for a user change
-- (which may touch every key of that user). The cache bound stays the fallback for
-- a replica whose listening connection was down when the notice was sent.
CREATE FUNCTION tailapi_notify_credential() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'keys' THEN
    PERFORM pg_notify('tailapi_credentials', OLD.key_id);
  ELSE
    PERFORM pg_notify('tailapi_credentials', '*');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER keys_credential_changed
  AFTER UPDATE OF revoked_at, expires_at, scopes, tags, secret_hash, user_id, key_type ON keys
  FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
     OR OLD.scopes IS DISTINCT FROM NEW.scopes OR OLD.tags IS DISTINCT FROM NEW.tags
     OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
     OR OLD.key_type IS DISTINCT FROM NEW.key_type)
  EXECUTE FUNCTION tailapi_notify_credential();
CREATE TRIGGER keys_credential_deleted
  AFTER DELETE ON keys
  FOR EACH ROW EXECUTE FUNCTION tailapi_notify_credential();
CREATE TRIGGER users_credential_changed
  AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION tailapi_notify_credential();
