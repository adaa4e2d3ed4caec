# needs: GET /api/v2/tailnet/{tailnet}/acl, POST /api/v2/tailnet/{tailnet}/acl, POST /api/v2/tailnet/{tailnet}/acl/validate

resource "tailscale_acl" "policy" {
  # tailapi starts with a policy of its own; take it over.
  overwrite_existing_content = true
  acl                        = <<-HUJSON
    // Managed by Terraform.
    {
      "groups": {
        "group:ops": ["admin@example.com"],
      },
      "tagOwners": {
        "tag:server": ["group:ops"],
        "tag:ci":     ["group:ops"],
      },
      "autoApprovers": {
        "routes": {"10.0.0.0/8": ["tag:server"]},
      },
      "acls": [
        {"action": "accept", "src": ["group:ops"], "dst": ["tag:server:*"]},
        {"action": "accept", "src": ["tag:ci"], "dst": ["tag:server:22,443"]},
      ],
    }
  HUJSON
}

data "tailscale_acl" "current" {
  depends_on = [tailscale_acl.policy]
}

output "policy_tag_owners" {
  value = jsondecode(data.tailscale_acl.current.json).tagOwners
}
