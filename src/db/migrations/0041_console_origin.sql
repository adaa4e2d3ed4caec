-- Changes made in the web console (/admin) are recorded with their own origin
-- (Tailscale's ADMIN_CONSOLE), apart from the API and the CLI.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_origin_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_origin_check CHECK (origin IN ('api', 'cli', 'node', 'system', 'console'));
