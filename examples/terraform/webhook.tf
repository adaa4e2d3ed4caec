# needs: POST /api/v2/tailnet/{tailnet}/webhooks, GET /api/v2/webhooks/{endpointId}, PATCH /api/v2/webhooks/{endpointId}, DELETE /api/v2/webhooks/{endpointId}

resource "tailscale_webhook" "ops" {
  endpoint_url  = "https://hooks.example.com/tailscale"
  provider_type = "slack"
  subscriptions = ["nodeCreated", "nodeDeleted", "policyUpdate"]
}
