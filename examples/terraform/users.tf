# needs: GET /api/v2/tailnet/{tailnet}/users

data "tailscale_users" "admins" {
  role = "admin"
}

data "tailscale_users" "all" {}

output "user_logins" {
  value = sort([for u in data.tailscale_users.all.users : u.login_name])
}
