# needs: GET /api/v2/tailnet/{tailnet}/devices, GET /api/v2/device/{deviceId}, GET /api/v2/device/{deviceId}/routes, POST /api/v2/device/{deviceId}/routes, POST /api/v2/device/{deviceId}/authorized, POST /api/v2/device/{deviceId}/tags, POST /api/v2/device/{deviceId}/key

# The devices of devices_data.tf, managed.
resource "tailscale_device_authorization" "web" {
  device_id  = data.tailscale_device.web.node_id
  authorized = true
}

resource "tailscale_device_subnet_routes" "web" {
  device_id = data.tailscale_device.web.node_id
  routes    = ["10.0.1.0/24"]
}

resource "tailscale_device_tags" "web" {
  device_id = data.tailscale_device.web.node_id
  tags      = ["tag:server"]
}

resource "tailscale_device_key" "db" {
  device_id           = data.tailscale_device.db.node_id
  key_expiry_disabled = true
}
