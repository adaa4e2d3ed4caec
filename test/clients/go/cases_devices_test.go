package clients

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	tailscale "tailscale.com/client/tailscale/v2"
)

// Devices: every method of tailscale.DevicesResource.
func init() {
	register(
		clientCase{
			Name:  "Devices.Get",
			Needs: []string{"GET /api/v2/device/{deviceId}"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("get"), Tags: s.Tags})
				for _, id := range []string{d.NodeID, d.ID} { // both id forms, as Terraform re-reads them
					got, err := s.C.Devices().Get(ctx(t), id)
					ok(t, "Get "+id, err)
					sameAsAPI(t, "Get "+id, got, s.api.json(t, "/device/"+d.NodeID))
					if got.NodeID != d.NodeID || got.ID != d.ID {
						t.Errorf("Get %s: ids %s/%s, want %s/%s", id, got.NodeID, got.ID, d.NodeID, d.ID)
					}
					if got.AdvertisedRoutes != nil || got.ClientConnectivity != nil {
						t.Errorf("Get without fields=all returned all-only fields")
					}
				}
			},
		},
		clientCase{
			Name:  "Devices.GetWithAllFields",
			Needs: []string{"GET /api/v2/device/{deviceId}"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("getall"), Tags: s.Tags, Routes: []string{"10.20.0.0/24"}})
				got, err := s.C.Devices().GetWithAllFields(ctx(t), d.NodeID)
				ok(t, "GetWithAllFields", err)
				sameAsAPI(t, "GetWithAllFields", got, s.api.json(t, "/device/"+d.NodeID+"?fields=all"))
				// The struct tag is "AdvertisedRoutes"; Go's case-insensitive match must still fill it.
				if !equalStrings(got.AdvertisedRoutes, []string{"10.20.0.0/24"}) {
					t.Errorf("AdvertisedRoutes = %v, want [10.20.0.0/24]", got.AdvertisedRoutes)
				}
				if got.ClientConnectivity == nil {
					t.Errorf("fields=all: no clientConnectivity")
				}
			},
		},
		clientCase{
			Name:  "Devices.List",
			Needs: []string{"GET /api/v2/tailnet/{tailnet}/devices"},
			Run: func(t *testing.T, s *suite) {
				host := unique("list")
				a := s.api.device(t, deviceOpts{Hostname: host, Tags: s.Tags, Routes: []string{"10.21.0.0/24"}})
				b := s.api.device(t, deviceOpts{Hostname: host + "-b", Tags: s.Tags, OS: "windows"})

				var raw map[string]any
				s.api.must(t, "GET", "/tailnet/-/devices", nil, &raw)
				all, err := s.C.Devices().List(ctx(t))
				ok(t, "List", err)
				sameAsAPI(t, "List", all, raw["devices"])

				var rawAll map[string]any
				s.api.must(t, "GET", "/tailnet/-/devices?fields=all", nil, &rawAll)
				full, err := s.C.Devices().List(ctx(t), tailscale.WithFields(tailscale.IncludeFieldsAll))
				ok(t, "List(WithFields(all))", err)
				sameAsAPI(t, "List(WithFields(all))", full, rawAll["devices"])
				deprecated, err := s.C.Devices().ListWithAllFields(ctx(t))
				ok(t, "ListWithAllFields", err)
				sameAsAPI(t, "ListWithAllFields", deprecated, rawAll["devices"])

				// Filters: one value, a repeated key (all of its values), and a combination.
				for _, f := range []struct {
					opts []tailscale.ListDevicesOptions
					q    url.Values
					want []string
				}{
					{[]tailscale.ListDevicesOptions{tailscale.WithFilter("hostname", []string{host})}, url.Values{"hostname": {host}}, []string{a.NodeID}},
					{[]tailscale.ListDevicesOptions{tailscale.WithFilter("os", []string{"windows"}), tailscale.WithFilter("tags", s.Tags)},
						url.Values{"os": {"windows"}, "tags": s.Tags}, []string{b.NodeID}},
					{[]tailscale.ListDevicesOptions{tailscale.WithFilter("name", []string{a.Name}), tailscale.WithFields(tailscale.IncludeFieldsAll)},
						url.Values{"name": {a.Name}, "fields": {"all"}}, []string{a.NodeID}},
					{[]tailscale.ListDevicesOptions{tailscale.WithFilter("hostname", []string{host, host + "-b"})},
						url.Values{"hostname": {host, host + "-b"}}, []string{}},
				} {
					got, err := s.C.Devices().List(ctx(t), f.opts...)
					ok(t, "List "+f.q.Encode(), err)
					var rawF map[string]any
					s.api.must(t, "GET", "/tailnet/-/devices?"+f.q.Encode(), nil, &rawF)
					sameAsAPI(t, "List "+f.q.Encode(), got, rawF["devices"])
					ids := []string{}
					for _, d := range got {
						ids = append(ids, d.NodeID)
					}
					if !equalStrings(sorted(ids), sorted(f.want)) {
						t.Errorf("List %s: %v, want %v", f.q.Encode(), ids, f.want)
					}
				}
			},
		},
		clientCase{
			Name:  "Devices.Delete",
			Needs: []string{"DELETE /api/v2/device/{deviceId}"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("delete"), Tags: s.Tags})
				ok(t, "Delete", s.C.Devices().Delete(ctx(t), d.ID))
				if st := s.api.status(t, "/device/"+d.NodeID); st != http.StatusNotFound {
					t.Errorf("after Delete: GET answers %d, want 404", st)
				}
				_, err := s.C.Devices().Get(ctx(t), d.NodeID)
				if !tailscale.IsNotFound(err) {
					t.Errorf("Get of a deleted device: %v, want an error IsNotFound recognises", err)
				}
				err = s.C.Devices().Delete(ctx(t), d.NodeID)
				if !tailscale.IsNotFound(err) {
					t.Errorf("Delete of a deleted device: %v, want an error IsNotFound recognises", err)
				}
			},
		},
		clientCase{
			Name:  "Devices.SetSubnetRoutes+SubnetRoutes",
			Needs: []string{"POST /api/v2/device/{deviceId}/routes", "GET /api/v2/device/{deviceId}/routes"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("routes"), Tags: s.Tags, Routes: []string{"10.30.0.0/24", "10.31.0.0/24"}})
				// Enabling a route nobody advertises is allowed (pre-enabling), as Terraform does.
				ok(t, "SetSubnetRoutes", s.C.Devices().SetSubnetRoutes(ctx(t), d.NodeID, []string{"10.30.0.0/24", "10.99.0.0/16"}))
				got, err := s.C.Devices().SubnetRoutes(ctx(t), d.NodeID)
				ok(t, "SubnetRoutes", err)
				sameAsAPI(t, "SubnetRoutes", got, s.api.json(t, "/device/"+d.NodeID+"/routes"))
				if !equalStrings(sorted(got.Enabled), []string{"10.30.0.0/24", "10.99.0.0/16"}) {
					t.Errorf("enabled routes %v", got.Enabled)
				}
				if !equalStrings(sorted(got.Advertised), []string{"10.30.0.0/24", "10.31.0.0/24"}) {
					t.Errorf("advertised routes %v", got.Advertised)
				}
				ok(t, "SetSubnetRoutes([])", s.C.Devices().SetSubnetRoutes(ctx(t), d.NodeID, []string{}))
				got, err = s.C.Devices().SubnetRoutes(ctx(t), d.NodeID)
				ok(t, "SubnetRoutes", err)
				if len(got.Enabled) != 0 {
					t.Errorf("after clearing: enabled routes %v", got.Enabled)
				}
			},
		},
		clientCase{
			Name:  "Devices.SetAuthorized",
			Needs: []string{"POST /api/v2/device/{deviceId}/authorized"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("authz"), Tags: s.Tags})
				for _, want := range []bool{false, true} {
					ok(t, "SetAuthorized", s.C.Devices().SetAuthorized(ctx(t), d.NodeID, want))
					var dev struct {
						Authorized bool `json:"authorized"`
					}
					s.api.must(t, "GET", "/device/"+d.NodeID, nil, &dev)
					if dev.Authorized != want {
						t.Errorf("after SetAuthorized(%v): authorized=%v", want, dev.Authorized)
					}
				}
			},
		},
		clientCase{
			Name:  "Devices.SetName",
			Needs: []string{"POST /api/v2/device/{deviceId}/name"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("name"), Tags: s.Tags})
				name := unique("renamed")
				ok(t, "SetName", s.C.Devices().SetName(ctx(t), d.NodeID, name))
				got, err := s.C.Devices().Get(ctx(t), d.NodeID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get after SetName", got, s.api.json(t, "/device/"+d.NodeID))
				if got.Name == d.Name || len(got.Name) < len(name) || got.Name[:len(name)+1] != name+"." {
					t.Errorf("after SetName(%q): name %q", name, got.Name)
				}
			},
		},
		clientCase{
			Name:  "Devices.SetTags",
			Needs: []string{"POST /api/v2/device/{deviceId}/tags"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("tags"), Tags: s.Tags})
				ok(t, "SetTags", s.C.Devices().SetTags(ctx(t), d.NodeID, s.Tags))
				got, err := s.C.Devices().Get(ctx(t), d.NodeID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get after SetTags", got, s.api.json(t, "/device/"+d.NodeID))
				if !equalStrings(got.Tags, s.Tags) {
					t.Errorf("tags %v, want %v", got.Tags, s.Tags)
				}
			},
		},
		clientCase{
			Name:       "Devices.SetTags(untag)",
			Needs:      []string{"POST /api/v2/device/{deviceId}/tags"},
			APIKeyOnly: "an OAuth client owns no user to give an untagged device to",
			Run: func(t *testing.T, s *suite) {
				// Terraform's tailscale_device_tags posts {"tags":[]} on destroy.
				d := s.api.device(t, deviceOpts{Hostname: unique("untag"), Tags: s.Tags})
				ok(t, "SetTags([])", s.C.Devices().SetTags(ctx(t), d.NodeID, []string{}))
				got, err := s.C.Devices().Get(ctx(t), d.NodeID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get after SetTags([])", got, s.api.json(t, "/device/"+d.NodeID))
				if len(got.Tags) != 0 {
					t.Errorf("tags %v after untagging", got.Tags)
				}
			},
		},
		clientCase{
			Name:       "Devices.SetKey",
			Needs:      []string{"POST /api/v2/device/{deviceId}/key"},
			APIKeyOnly: "key expiry applies to user-owned devices, which an OAuth client cannot register",
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("key")}) // untagged: its key expires
				for _, disabled := range []bool{true, false} {
					ok(t, "SetKey", s.C.Devices().SetKey(ctx(t), d.NodeID, tailscale.DeviceKey{KeyExpiryDisabled: disabled}))
					got, err := s.C.Devices().Get(ctx(t), d.NodeID)
					ok(t, "Get", err)
					sameAsAPI(t, "Get after SetKey", got, s.api.json(t, "/device/"+d.NodeID))
					if got.KeyExpiryDisabled != disabled {
						t.Errorf("after SetKey(%v): keyExpiryDisabled=%v", disabled, got.KeyExpiryDisabled)
					}
				}
			},
		},
		clientCase{
			Name:  "Devices.SetIPv4Address",
			Needs: []string{"POST /api/v2/device/{deviceId}/ip"},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("ip"), Tags: s.Tags})
				ip := fmt.Sprintf("100.96.%d.77", uniqueInt()%250)
				ok(t, "SetIPv4Address", s.C.Devices().SetIPv4Address(ctx(t), d.NodeID, ip))
				got, err := s.C.Devices().Get(ctx(t), d.NodeID)
				ok(t, "Get", err)
				sameAsAPI(t, "Get after SetIPv4Address", got, s.api.json(t, "/device/"+d.NodeID))
				if len(got.Addresses) == 0 || got.Addresses[0] != ip {
					t.Errorf("addresses %v, want %s first", got.Addresses, ip)
				}
			},
		},
		clientCase{
			Name: "Devices.SetPostureAttribute+GetPostureAttributes+DeletePostureAttribute",
			Needs: []string{
				"GET /api/v2/device/{deviceId}/attributes",
				"POST /api/v2/device/{deviceId}/attributes/{attributeKey}",
				"DELETE /api/v2/device/{deviceId}/attributes/{attributeKey}",
			},
			Run: func(t *testing.T, s *suite) {
				d := s.api.device(t, deviceOpts{Hostname: unique("posture"), Tags: s.Tags})
				expiry := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
				ok(t, "SetPostureAttribute tier", s.C.Devices().SetPostureAttribute(ctx(t), d.NodeID, "custom:tier",
					tailscale.DevicePostureAttributeRequest{Value: "gold", Expiry: tailscale.Time{Time: expiry}, Comment: "clients-go"}))
				// No expiry: the client sends Go's zero time, which means "none".
				ok(t, "SetPostureAttribute score", s.C.Devices().SetPostureAttribute(ctx(t), d.NodeID, "custom:score",
					tailscale.DevicePostureAttributeRequest{Value: 42}))
				got, err := s.C.Devices().GetPostureAttributes(ctx(t), d.NodeID)
				ok(t, "GetPostureAttributes", err)
				sameAsAPI(t, "GetPostureAttributes", got, s.api.json(t, "/device/"+d.NodeID+"/attributes"))
				if got.Attributes["custom:tier"] != "gold" || got.Attributes["custom:score"] != float64(42) {
					t.Errorf("attributes %v", got.Attributes)
				}
				if e, has := got.Expiries["custom:tier"]; !has || !e.Equal(expiry) {
					t.Errorf("expiry of custom:tier %v, want %v", got.Expiries["custom:tier"], expiry)
				}
				if _, has := got.Expiries["custom:score"]; has {
					t.Errorf("custom:score has an expiry: %v", got.Expiries["custom:score"])
				}
				ok(t, "DeletePostureAttribute", s.C.Devices().DeletePostureAttribute(ctx(t), d.NodeID, "custom:tier"))
				got, err = s.C.Devices().GetPostureAttributes(ctx(t), d.NodeID)
				ok(t, "GetPostureAttributes", err)
				if _, has := got.Attributes["custom:tier"]; has {
					t.Errorf("custom:tier still there after DeletePostureAttribute")
				}
			},
		},
	)
}
