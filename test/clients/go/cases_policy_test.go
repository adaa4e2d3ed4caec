package clients

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	tailscale "tailscale.com/client/tailscale/v2"
)

// basePolicy is the policy file every pass starts from (when tailapi serves the
// policy file): the suite's tag must have an owner before keys and devices carry it.
const basePolicy = `// tailapi clients suite
{
	"tagOwners": {"tag:clients-go": ["autogroup:admin"]},
	"acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
}`

// resetPolicy posts basePolicy if tailapi serves the policy file.
func resetPolicy(t *testing.T, a *api) {
	t.Helper()
	if len(notServed(t, []string{"POST /api/v2/tailnet/{tailnet}/acl"})) > 0 {
		return
	}
	if st, body, _ := a.raw(t, "POST", "/tailnet/-/acl", basePolicy, map[string]string{"Content-Type": "application/hujson"}); st != http.StatusOK {
		t.Fatalf("setting the suite's policy file: %d %s", st, body)
	}
}

// PolicyFile: every method of tailscale.PolicyFileResource.
func init() {
	acl := "/api/v2/tailnet/{tailnet}/acl"
	register(
		clientCase{
			Name:  "PolicyFile.Raw+Set(HuJSON, ETag)",
			Needs: []string{"GET " + acl, "POST " + acl},
			Run: func(t *testing.T, s *suite) {
				t.Cleanup(func() { resetPolicy(t, s.api) })
				raw, err := s.C.PolicyFile().Raw(ctx(t))
				ok(t, "Raw", err)
				st, body, h := s.api.raw(t, "GET", "/tailnet/-/acl", nil, map[string]string{"Accept": "application/hujson"})
				if st != http.StatusOK || raw.HuJSON != string(body) || raw.ETag != h.Get("ETag") || raw.ETag == "" {
					t.Fatalf("Raw: %q etag %q; API: %d %q etag %q", raw.HuJSON, raw.ETag, st, body, h.Get("ETag"))
				}
				// Comments and trailing commas survive, byte for byte.
				next := strings.Replace(basePolicy, "// tailapi clients suite", "// changed by the Go client", 1)
				ok(t, "Set(HuJSON, etag)", s.C.PolicyFile().Set(ctx(t), next, raw.ETag))
				after, err := s.C.PolicyFile().Raw(ctx(t))
				ok(t, "Raw", err)
				if after.HuJSON != next || after.ETag == raw.ETag {
					t.Errorf("after Set: %q etag %q (was %q)", after.HuJSON, after.ETag, raw.ETag)
				}
				// A stale ETag is refused with 412, which Terraform reports as such.
				err = s.C.PolicyFile().Set(ctx(t), basePolicy, raw.ETag)
				var apiErr tailscale.APIError
				if !errors.As(err, &apiErr) || apiErr.Status != http.StatusPreconditionFailed {
					t.Errorf("Set with a stale ETag: %v, want a 412 APIError", err)
				}
				if again, _ := s.C.PolicyFile().Raw(ctx(t)); again == nil || again.HuJSON != next {
					t.Errorf("a refused Set changed the policy")
				}
			},
		},
		clientCase{
			Name:  "PolicyFile.Get+SetAndGet",
			Needs: []string{"GET " + acl, "POST " + acl},
			Run: func(t *testing.T, s *suite) {
				t.Cleanup(func() { resetPolicy(t, s.api) })
				got, err := s.C.PolicyFile().Get(ctx(t))
				ok(t, "Get", err)
				st, body, h := s.api.raw(t, "GET", "/tailnet/-/acl", nil, map[string]string{"Accept": "application/json"})
				if st != http.StatusOK {
					t.Fatalf("GET acl as JSON: %d %s", st, body)
				}
				sameAsAPI(t, "Get", got, decodeJSON(t, body))
				if got.ETag != h.Get("ETag") {
					t.Errorf("Get: etag %q, API %q", got.ETag, h.Get("ETag"))
				}
				want := tailscale.ACL{
					TagOwners:     map[string][]string{"tag:clients-go": {"autogroup:admin"}, "tag:web": {"group:eng"}},
					Groups:        map[string][]string{"group:eng": {"admin@example.com"}},
					AutoApprovers: &tailscale.ACLAutoApprovers{Routes: map[string][]string{"10.0.0.0/8": {"tag:web"}}},
					ACLs:          []tailscale.ACLEntry{{Action: "accept", Source: []string{"group:eng"}, Destination: []string{"tag:web:443"}}},
				}
				set, err := s.C.PolicyFile().SetAndGet(ctx(t), want, got.ETag)
				ok(t, "SetAndGet", err)
				st, body, h = s.api.raw(t, "GET", "/tailnet/-/acl", nil, map[string]string{"Accept": "application/json"})
				if st != http.StatusOK {
					t.Fatalf("GET acl as JSON: %d %s", st, body)
				}
				sameAsAPI(t, "SetAndGet", set, decodeJSON(t, body))
				if set.ETag == "" || set.ETag != h.Get("ETag") {
					t.Errorf("SetAndGet: etag %q, API %q", set.ETag, h.Get("ETag"))
				}
				if set.Groups["group:eng"][0] != "admin@example.com" || set.AutoApprovers == nil || set.AutoApprovers.Routes["10.0.0.0/8"][0] != "tag:web" {
					t.Errorf("SetAndGet returned %+v", set)
				}
			},
		},
		clientCase{
			Name:  "PolicyFile.Validate",
			Needs: []string{"POST " + acl + "/validate"},
			Run: func(t *testing.T, s *suite) {
				ok(t, "Validate(HuJSON)", s.C.PolicyFile().Validate(ctx(t), basePolicy))
				ok(t, "Validate(ACL)", s.C.PolicyFile().Validate(ctx(t), tailscale.ACL{
					TagOwners: map[string][]string{"tag:clients-go": {"autogroup:admin"}},
				}))
				if err := s.C.PolicyFile().Validate(ctx(t), `{"acls": [{"action": "maybe"}]}`); err == nil {
					t.Errorf("Validate accepted an invalid policy")
				}
				// Validation changes nothing.
				if st, body, _ := s.api.raw(t, "GET", "/tailnet/-/acl", nil, map[string]string{"Accept": "application/hujson"}); st == http.StatusOK && strings.Contains(string(body), "maybe") {
					t.Errorf("Validate changed the policy: %s", body)
				}
			},
		},
		clientCase{
			Name:  "PolicyFile.Validate([]ACLTest)",
			Needs: []string{"POST " + acl + "/validate"},
			Run: func(t *testing.T, s *suite) {
				// The stored policy (basePolicy, or a copy of it) accepts everything: a test wanting an
				// accept passes, one wanting a drop fails in Tailscale's words.
				ok(t, "Validate(passing tests)", s.C.PolicyFile().Validate(ctx(t), []tailscale.ACLTest{
					{Source: "someone@example.com", Accept: []string{"tag:clients-go:22", "100.64.0.1:443"}},
				}))
				err := s.C.PolicyFile().Validate(ctx(t), []tailscale.ACLTest{{Source: "someone@example.com", Deny: []string{"tag:clients-go:22"}}})
				if err == nil || !strings.Contains(err.Error(), "test(s) failed") || !strings.Contains(err.Error(), "want: Drop, got: Accept") {
					t.Errorf("Validate(failing test) = %v, want a test(s) failed error", err)
				}
			},
		},
	)
}
