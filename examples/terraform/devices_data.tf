# needs: GET /api/v2/tailnet/{tailnet}/devices

# Devices are not created by Terraform: they join with an auth key, then are managed here.
data "tailscale_device" "web" {
  hostname = var.web_hostname
}

data "tailscale_device" "db" {
  hostname = var.db_hostname
}

data "tailscale_devices" "all" {}

output "device_count" {
  value = length(data.tailscale_devices.all.devices)
}
