# needs: GET /api/v2/tailnet/{tailnet}/settings, PATCH /api/v2/tailnet/{tailnet}/settings, GET /api/v2/tailnet/{tailnet}/contacts, PATCH /api/v2/tailnet/{tailnet}/contacts/{contactType}

resource "tailscale_tailnet_settings" "settings" {
  devices_approval_on            = true
  devices_auto_updates_on        = true
  devices_key_duration_days      = 30
  users_approval_on              = true
  posture_identity_collection_on = false
}

resource "tailscale_contacts" "contacts" {
  account {
    email = "billing@example.com"
  }
  support {
    email = "support@example.com"
  }
  security {
    email = "security@example.com"
  }
}
