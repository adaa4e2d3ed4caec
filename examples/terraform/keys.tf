# needs: POST /api/v2/tailnet/{tailnet}/keys, GET /api/v2/tailnet/{tailnet}/keys/{keyId}, PUT /api/v2/tailnet/{tailnet}/keys/{keyId}, DELETE /api/v2/tailnet/{tailnet}/keys/{keyId}

# A reusable, pre-authorized key that servers join with, tagged.
resource "tailscale_tailnet_key" "servers" {
  reusable      = true
  ephemeral     = false
  preauthorized = true
  expiry        = 7776000
  description   = "servers ${var.environment}"
  tags          = ["tag:server"]
}

# An OAuth client for CI jobs that create ephemeral runners.
resource "tailscale_oauth_client" "ci" {
  description = "ci ${var.environment}"
  scopes      = ["devices:core", "auth_keys"]
  tags        = ["tag:ci"]
}

output "servers_key_id" {
  value = tailscale_tailnet_key.servers.id
}

output "ci_client_id" {
  value = tailscale_oauth_client.ci.id
}
