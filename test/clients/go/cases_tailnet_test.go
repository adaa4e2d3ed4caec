package clients

import (
	"net/http"
	"testing"
	"time"

	tailscale "tailscale.com/client/tailscale/v2"
)

// DNS, tailnet settings, contacts, users, webhooks, logging, and the
// resources tailapi has no plans for yet.
func init() {
	tn := "/api/v2/tailnet/{tailnet}"
	register(
		clientCase{
			Name:  "DNS.SetNameservers+Nameservers",
			Needs: []string{"GET " + tn + "/dns/nameservers", "POST " + tn + "/dns/nameservers"},
			Run: func(t *testing.T, s *suite) {
				ok(t, "SetNameservers", s.C.DNS().SetNameservers(ctx(t), []string{"1.1.1.1", "2606:4700:4700::1111"}))
				got, err := s.C.DNS().Nameservers(ctx(t))
				ok(t, "Nameservers", err)
				sameAsAPI(t, "Nameservers", got, s.api.json(t, "/tailnet/-/dns/nameservers").(map[string]any)["dns"])
				if !equalStrings(got, []string{"1.1.1.1", "2606:4700:4700::1111"}) {
					t.Errorf("nameservers %v", got)
				}
				ok(t, "SetNameservers([])", s.C.DNS().SetNameservers(ctx(t), []string{}))
				if got, _ := s.C.DNS().Nameservers(ctx(t)); len(got) != 0 {
					t.Errorf("nameservers %v after clearing", got)
				}
			},
		},
		clientCase{
			Name:  "DNS.SetSearchPaths+SearchPaths",
			Needs: []string{"GET " + tn + "/dns/searchpaths", "POST " + tn + "/dns/searchpaths"},
			Run: func(t *testing.T, s *suite) {
				ok(t, "SetSearchPaths", s.C.DNS().SetSearchPaths(ctx(t), []string{"corp.example.com", "example.net"}))
				got, err := s.C.DNS().SearchPaths(ctx(t))
				ok(t, "SearchPaths", err)
				sameAsAPI(t, "SearchPaths", got, s.api.json(t, "/tailnet/-/dns/searchpaths").(map[string]any)["searchPaths"])
				if !equalStrings(got, []string{"corp.example.com", "example.net"}) {
					t.Errorf("search paths %v", got)
				}
				ok(t, "SetSearchPaths([])", s.C.DNS().SetSearchPaths(ctx(t), []string{}))
			},
		},
		clientCase{
			Name:  "DNS.SetPreferences+Preferences",
			Needs: []string{"GET " + tn + "/dns/preferences", "POST " + tn + "/dns/preferences", "POST " + tn + "/dns/nameservers"},
			Run: func(t *testing.T, s *suite) {
				// MagicDNS needs a nameserver on Tailscale; give it one first.
				ok(t, "SetNameservers", s.C.DNS().SetNameservers(ctx(t), []string{"9.9.9.9"}))
				t.Cleanup(func() { _ = s.C.DNS().SetNameservers(ctx(t), []string{}) })
				for _, on := range []bool{true, false} {
					ok(t, "SetPreferences", s.C.DNS().SetPreferences(ctx(t), tailscale.DNSPreferences{MagicDNS: on}))
					got, err := s.C.DNS().Preferences(ctx(t))
					ok(t, "Preferences", err)
					sameAsAPI(t, "Preferences", got, s.api.json(t, "/tailnet/-/dns/preferences"))
					if got.MagicDNS != on {
						t.Errorf("magicDNS %v, want %v", got.MagicDNS, on)
					}
				}
			},
		},
		clientCase{
			Name:  "DNS.SetSplitDNS+UpdateSplitDNS+SplitDNS",
			Needs: []string{"GET " + tn + "/dns/split-dns", "PUT " + tn + "/dns/split-dns", "PATCH " + tn + "/dns/split-dns"},
			Run: func(t *testing.T, s *suite) {
				ok(t, "SetSplitDNS", s.C.DNS().SetSplitDNS(ctx(t), tailscale.SplitDNSRequest{"corp.example.com": {"10.0.0.53"}}))
				patched, err := s.C.DNS().UpdateSplitDNS(ctx(t), tailscale.SplitDNSRequest{"lab.example.com": {"10.1.0.53", "10.1.0.54"}})
				ok(t, "UpdateSplitDNS", err)
				got, err := s.C.DNS().SplitDNS(ctx(t))
				ok(t, "SplitDNS", err)
				raw := s.api.json(t, "/tailnet/-/dns/split-dns")
				sameAsAPI(t, "SplitDNS", got, raw)
				sameAsAPI(t, "UpdateSplitDNS", patched, raw)
				if len(got) != 2 || !equalStrings(got["lab.example.com"], []string{"10.1.0.53", "10.1.0.54"}) {
					t.Errorf("split DNS %v", got)
				}
				ok(t, "SetSplitDNS({})", s.C.DNS().SetSplitDNS(ctx(t), tailscale.SplitDNSRequest{}))
				if got, _ := s.C.DNS().SplitDNS(ctx(t)); len(got) != 0 {
					t.Errorf("split DNS %v after clearing", got)
				}
			},
		},
		clientCase{
			Name:  "DNS.SetConfiguration+Configuration",
			Needs: []string{"GET " + tn + "/dns/configuration", "POST " + tn + "/dns/configuration"},
			Run: func(t *testing.T, s *suite) {
				want := tailscale.DNSConfiguration{
					Nameservers: []tailscale.DNSConfigurationResolver{{Address: "8.8.8.8"}},
					SplitDNS:    map[string][]tailscale.DNSConfigurationResolver{"corp.example.com": {{Address: "10.0.0.53"}}},
					SearchPaths: []string{"corp.example.com"},
					Preferences: tailscale.DNSConfigurationPreferences{MagicDNS: true},
				}
				ok(t, "SetConfiguration", s.C.DNS().SetConfiguration(ctx(t), want))
				t.Cleanup(func() { _ = s.C.DNS().SetConfiguration(ctx(t), tailscale.DNSConfiguration{}) })
				got, err := s.C.DNS().Configuration(ctx(t))
				ok(t, "Configuration", err)
				sameAsAPI(t, "Configuration", got, s.api.json(t, "/tailnet/-/dns/configuration"))
				if len(got.Nameservers) != 1 || got.Nameservers[0].Address != "8.8.8.8" || !got.Preferences.MagicDNS {
					t.Errorf("configuration %+v", got)
				}
			},
		},
		clientCase{
			Name:  "TailnetSettings.Update+Get",
			Needs: []string{"GET " + tn + "/settings", "PATCH " + tn + "/settings"},
			Run: func(t *testing.T, s *suite) {
				before, err := s.C.TailnetSettings().Get(ctx(t))
				ok(t, "Get", err)
				sameAsAPI(t, "Get", before, s.api.json(t, "/tailnet/-/settings"))
				t.Cleanup(func() {
					_ = s.C.TailnetSettings().Update(ctx(t), tailscale.UpdateTailnetSettingsRequest{
						DevicesApprovalOn: &before.DevicesApprovalOn, DevicesKeyDurationDays: &before.DevicesKeyDurationDays,
						ACLsExternallyManagedOn: &before.ACLsExternallyManagedOn, ACLsExternalLink: &before.ACLsExternalLink,
					})
				})
				days := 42
				ok(t, "Update", s.C.TailnetSettings().Update(ctx(t), tailscale.UpdateTailnetSettingsRequest{
					DevicesApprovalOn:       tailscale.PointerTo(!before.DevicesApprovalOn),
					DevicesKeyDurationDays:  &days,
					ACLsExternallyManagedOn: tailscale.PointerTo(true),
					ACLsExternalLink:        tailscale.PointerTo("https://git.example.com/acl"),
				}))
				after, err := s.C.TailnetSettings().Get(ctx(t))
				ok(t, "Get", err)
				sameAsAPI(t, "Get after Update", after, s.api.json(t, "/tailnet/-/settings"))
				if after.DevicesApprovalOn == before.DevicesApprovalOn || after.DevicesKeyDurationDays != 42 ||
					!after.ACLsExternallyManagedOn || after.ACLsExternalLink != "https://git.example.com/acl" {
					t.Errorf("after Update: %+v", after)
				}
				// A PATCH leaves what it does not name alone.
				if after.UsersApprovalOn != before.UsersApprovalOn || after.HTTPSEnabled != before.HTTPSEnabled {
					t.Errorf("Update changed settings it did not name: %+v -> %+v", before, after)
				}
			},
		},
		clientCase{
			Name:  "Contacts.Update+Get",
			Needs: []string{"GET " + tn + "/contacts", "PATCH " + tn + "/contacts/{contactType}"},
			Run: func(t *testing.T, s *suite) {
				email := unique("security") + "@example.com"
				ok(t, "Update", s.C.Contacts().Update(ctx(t), tailscale.ContactSecurity, tailscale.UpdateContactRequest{Email: &email}))
				got, err := s.C.Contacts().Get(ctx(t))
				ok(t, "Get", err)
				sameAsAPI(t, "Get", got, s.api.json(t, "/tailnet/-/contacts"))
				if got.Security.Email != email {
					t.Errorf("security contact %q, want %q", got.Security.Email, email)
				}
			},
		},
		clientCase{
			Name:  "Users.List+Get",
			Needs: []string{"GET " + tn + "/users", "GET /api/v2/users/{userId}"},
			Run: func(t *testing.T, s *suite) {
				all, err := s.C.Users().List(ctx(t), nil, nil)
				ok(t, "List", err)
				sameAsAPI(t, "List", all, s.api.json(t, "/tailnet/-/users").(map[string]any)["users"])
				if len(all) == 0 {
					t.Fatalf("no users")
				}
				owner := tailscale.UserRole("owner")
				owners, err := s.C.Users().List(ctx(t), nil, &owner)
				ok(t, "List(role=owner)", err)
				sameAsAPI(t, "List(role=owner)", owners, s.api.json(t, "/tailnet/-/users?role=owner").(map[string]any)["users"])
				for _, u := range owners {
					if u.Role != owner {
						t.Errorf("List(role=owner) returned %s with role %s", u.LoginName, u.Role)
					}
				}
				one, err := s.C.Users().Get(ctx(t), all[0].ID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get", one, s.api.json(t, "/users/"+all[0].ID))
			},
		},
		clientCase{
			Name: "Webhooks.Create+List+Get+Update+Test+RotateSecret+Delete",
			Needs: []string{"POST " + tn + "/webhooks", "GET " + tn + "/webhooks", "GET /api/v2/webhooks/{endpointId}",
				"PATCH /api/v2/webhooks/{endpointId}", "DELETE /api/v2/webhooks/{endpointId}",
				"POST /api/v2/webhooks/{endpointId}/test", "POST /api/v2/webhooks/{endpointId}/rotate"},
			Run: func(t *testing.T, s *suite) {
				created, err := s.C.Webhooks().Create(ctx(t), tailscale.CreateWebhookRequest{
					EndpointURL: "https://hooks.example.com/" + unique("tailapi"), ProviderType: tailscale.WebhookEmptyProviderType,
					Subscriptions: []tailscale.WebhookSubscriptionType{tailscale.WebhookNodeCreated},
				})
				ok(t, "Create", err)
				t.Cleanup(func() { s.api.do(t, "DELETE", "/webhooks/"+created.EndpointID, nil, nil) })
				if created.Secret == nil || *created.Secret == "" {
					t.Errorf("Create returned no secret")
				}
				got, err := s.C.Webhooks().Get(ctx(t), created.EndpointID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get", got, s.api.json(t, "/webhooks/"+created.EndpointID))
				list, err := s.C.Webhooks().List(ctx(t))
				ok(t, "List", err)
				sameAsAPI(t, "List", list, s.api.json(t, "/tailnet/-/webhooks").(map[string]any)["webhooks"])
				updated, err := s.C.Webhooks().Update(ctx(t), created.EndpointID,
					[]tailscale.WebhookSubscriptionType{tailscale.WebhookNodeCreated, tailscale.WebhookNodeDeleted})
				ok(t, "Update", err)
				sameAsAPI(t, "Update", updated, s.api.json(t, "/webhooks/"+created.EndpointID))
				if len(updated.Subscriptions) != 2 {
					t.Errorf("subscriptions %v", updated.Subscriptions)
				}
				ok(t, "Test", s.C.Webhooks().Test(ctx(t), created.EndpointID))
				rotated, err := s.C.Webhooks().RotateSecret(ctx(t), created.EndpointID)
				ok(t, "RotateSecret", err)
				if rotated.Secret == nil || created.Secret == nil || *rotated.Secret == *created.Secret {
					t.Errorf("RotateSecret kept the secret")
				}
				ok(t, "Delete", s.C.Webhooks().Delete(ctx(t), created.EndpointID))
				if st := s.api.status(t, "/webhooks/"+created.EndpointID); st != http.StatusNotFound {
					t.Errorf("deleted webhook: GET answers %d", st)
				}
			},
		},
		clientCase{
			Name: "Logging.SetLogstreamConfiguration+LogstreamConfiguration+DeleteLogstreamConfiguration",
			Needs: []string{"GET " + tn + "/logging/{logType}/stream", "PUT " + tn + "/logging/{logType}/stream",
				"DELETE " + tn + "/logging/{logType}/stream"},
			Run: func(t *testing.T, s *suite) {
				ok(t, "SetLogstreamConfiguration", s.C.Logging().SetLogstreamConfiguration(ctx(t), tailscale.LogTypeConfig,
					tailscale.SetLogstreamConfigurationRequest{DestinationType: tailscale.LogstreamSplunkEndpoint,
						URL: "https://splunk.example.com:8088", User: "tailapi", Token: "secret-token"}))
				got, err := s.C.Logging().LogstreamConfiguration(ctx(t), tailscale.LogTypeConfig)
				ok(t, "LogstreamConfiguration", err)
				sameAsAPI(t, "LogstreamConfiguration", got, s.api.json(t, "/tailnet/-/logging/configuration/stream"))
				if got.URL != "https://splunk.example.com:8088" || got.DestinationType != tailscale.LogstreamSplunkEndpoint {
					t.Errorf("log stream %+v", got)
				}
				ok(t, "DeleteLogstreamConfiguration", s.C.Logging().DeleteLogstreamConfiguration(ctx(t), tailscale.LogTypeConfig))
				if _, err := s.C.Logging().LogstreamConfiguration(ctx(t), tailscale.LogTypeConfig); !tailscale.IsNotFound(err) {
					t.Errorf("after Delete: %v, want not found", err)
				}
			},
		},
		clientCase{Name: "Logging.CreateOrGetAwsExternalId+ValidateAWSTrustPolicy", Waiting: "tailapi has no AWS external ids (POST /tailnet/{tailnet}/aws-external-id): no issue plans them"},
		clientCase{
			// tailapi collects no flow logs: every window is an empty list, which the client's streaming decoder reads.
			Name:  "Logging.GetNetworkFlowLogs",
			Needs: []string{"GET " + tn + "/logging/network"},
			Run: func(t *testing.T, s *suite) {
				n := 0
				err := s.C.Logging().GetNetworkFlowLogs(ctx(t), tailscale.NetworkFlowLogsRequest{Start: time.Now().Add(-time.Hour), End: time.Now()},
					func(tailscale.NetworkFlowLog) error { n++; return nil })
				ok(t, "GetNetworkFlowLogs", err)
				if n != 0 {
					t.Errorf("GetNetworkFlowLogs: %d logs, want none", n)
				}
			},
		},
		clientCase{
			// Stored only: tailapi calls no posture provider, and keeps no client secret.
			Name: "DevicePosture.CreateIntegration+GetIntegration+ListIntegrations+UpdateIntegration+DeleteIntegration",
			Needs: []string{"POST " + tn + "/posture/integrations", "GET " + tn + "/posture/integrations", "GET /api/v2/posture/integrations/{id}",
				"PATCH /api/v2/posture/integrations/{id}", "DELETE /api/v2/posture/integrations/{id}"},
			Run: func(t *testing.T, s *suite) {
				created, err := s.C.DevicePosture().CreateIntegration(ctx(t), tailscale.CreatePostureIntegrationRequest{
					Provider: tailscale.PostureIntegrationProviderIntune, CloudID: "global", ClientID: unique("client"), TenantID: "tenant", ClientSecret: "s3cret",
				})
				ok(t, "CreateIntegration", err)
				t.Cleanup(func() { s.api.do(t, "DELETE", "/posture/integrations/"+created.ID, nil, nil) })
				got, err := s.C.DevicePosture().GetIntegration(ctx(t), created.ID)
				ok(t, "GetIntegration", err)
				sameAsAPI(t, "GetIntegration", got, s.api.json(t, "/posture/integrations/"+created.ID))
				list, err := s.C.DevicePosture().ListIntegrations(ctx(t))
				ok(t, "ListIntegrations", err)
				sameAsAPI(t, "ListIntegrations", list, s.api.json(t, "/tailnet/-/posture/integrations").(map[string]any)["integrations"])
				updated, err := s.C.DevicePosture().UpdateIntegration(ctx(t), created.ID, tailscale.UpdatePostureIntegrationRequest{CloudID: "us-gov"})
				ok(t, "UpdateIntegration", err)
				if updated.CloudID != "us-gov" || updated.ClientID != created.ClientID {
					t.Errorf("UpdateIntegration: %+v", updated)
				}
				ok(t, "DeleteIntegration", s.C.DevicePosture().DeleteIntegration(ctx(t), created.ID))
				if _, err := s.C.DevicePosture().GetIntegration(ctx(t), created.ID); !tailscale.IsNotFound(err) {
					t.Errorf("after Delete: %v, want not found", err)
				}
			},
		},
		clientCase{Name: "Services.*", Waiting: "tailapi has no Services (/tailnet/{tailnet}/services): no issue plans them"},
		clientCase{Name: "Tailnets.Create+List+Delete", Waiting: "tailapi has no organization API for tailnets (tailnets are made with the CLI): no issue plans it"},
	)
}
