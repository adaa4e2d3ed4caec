# The provider points at tailapi instead of api.tailscale.com. Credentials come
# from the environment, as the provider reads them: TAILSCALE_API_KEY, or
# TAILSCALE_OAUTH_CLIENT_ID and TAILSCALE_OAUTH_CLIENT_SECRET.
terraform {
  required_providers {
    tailscale = {
      source = "tailscale/tailscale"
    }
  }
}

provider "tailscale" {
  base_url = var.base_url
}

variable "base_url" {
  description = "tailapi's base URL (no /api/v2)."
  type        = string
  default     = "http://127.0.0.1:8080"
}

variable "environment" {
  description = "Goes into descriptions and the DNS search path; change it to see an in-place update."
  type        = string
  default     = "staging"
}

variable "web_hostname" {
  description = "Hostname of a device that joined the tailnet before this configuration is applied."
  type        = string
  default     = "web"
}

variable "db_hostname" {
  description = "Hostname of a second device that joined before apply."
  type        = string
  default     = "db"
}
