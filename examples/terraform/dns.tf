# needs: GET /api/v2/tailnet/{tailnet}/dns/nameservers, POST /api/v2/tailnet/{tailnet}/dns/nameservers, GET /api/v2/tailnet/{tailnet}/dns/preferences, POST /api/v2/tailnet/{tailnet}/dns/preferences, GET /api/v2/tailnet/{tailnet}/dns/searchpaths, POST /api/v2/tailnet/{tailnet}/dns/searchpaths, GET /api/v2/tailnet/{tailnet}/dns/split-dns, PATCH /api/v2/tailnet/{tailnet}/dns/split-dns

resource "tailscale_dns_nameservers" "global" {
  nameservers = ["1.1.1.1", "2606:4700:4700::1111"]
}

resource "tailscale_dns_preferences" "prefs" {
  magic_dns  = true
  depends_on = [tailscale_dns_nameservers.global]
}

resource "tailscale_dns_search_paths" "paths" {
  search_paths = ["${var.environment}.example.com", "example.com"]
}

resource "tailscale_dns_split_nameservers" "corp" {
  domain      = "corp.example.com"
  nameservers = ["10.0.0.53"]
}
