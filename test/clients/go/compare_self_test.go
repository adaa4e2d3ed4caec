package clients

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	tailscale "tailscale.com/client/tailscale/v2"
)

// The checker must catch what a real client gets wrong, or the live cases prove nothing.
func TestSameAsAPIDetectsDifferences(t *testing.T) {
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	created, _ := time.Parse(time.RFC3339, "2026-01-02T03:04:05Z")
	dev := tailscale.Device{
		NodeID: "n1CNTRL", ID: "1", Name: "web.example.ts.net", Tags: []string{"tag:a"},
		Created: tailscale.Time{Time: created}, AdvertisedRoutes: []string{"10.0.0.0/24"},
	}
	same := `{"nodeId":"n1CNTRL","id":"1","name":"web.example.ts.net","tags":["tag:a"],"created":"2026-01-02T03:04:05Z",
		"expires":"","advertisedRoutes":["10.0.0.0/24"],"authorized":false,"extra":"ignored"}`
	for _, c := range []struct {
		raw  string
		want string // "" = no difference
	}{
		{same, ""},
		{strings.Replace(same, `"web.example.ts.net"`, `"db.example.ts.net"`, 1), ".name"},
		{strings.Replace(same, `["tag:a"]`, `["tag:a","tag:b"]`, 1), ".tags"},
		{strings.Replace(same, `"2026-01-02T03:04:05Z"`, `"2026-01-02T03:04:06Z"`, 1), ".created"},
		{strings.Replace(same, `"authorized":false`, `"authorized":true`, 1), ".authorized"},
		{strings.Replace(same, `"advertisedRoutes":["10.0.0.0/24"],`, ``, 1), ".AdvertisedRoutes"},
		{strings.Replace(same, `"created":"2026-01-02T03:04:05Z"`, `"created":"yesterday"`, 1), ".created"},
	} {
		var diffs, unread []string
		compareValue("d", reflectValue(dev), decode(c.raw), true, &diffs, &unread)
		joined := strings.Join(diffs, "\n")
		if c.want == "" && len(diffs) > 0 {
			t.Errorf("equal values reported different: %s", joined)
		}
		if c.want != "" && !strings.Contains(joined, "d"+c.want+":") {
			t.Errorf("difference in %s not reported (got %q)", c.want, joined)
		}
		if c.want == "" && (len(unread) != 1 || unread[0] != "d.extra") {
			t.Errorf("unread fields %v, want [d.extra]", unread)
		}
	}
	// Durations are the API's integer, unchanged (Key.expirySeconds).
	d := time.Duration(3600)
	var diffs, unread []string
	compareValue("k", reflectValue(tailscale.Key{ExpirySeconds: &d}), decode(`{"expirySeconds":7200}`), true, &diffs, &unread)
	if len(diffs) != 1 || !strings.HasPrefix(diffs[0], "k.expirySeconds:") {
		t.Errorf("expirySeconds difference: %v", diffs)
	}
}
