// Package clients drives a running tailapi with the official Go client
// (tailscale.com/client/tailscale/v2) and checks every value the client
// returns against tailapi's own answer to the same question, read over plain
// HTTP with the API key.
//
// Each client method is one entry in a case table (cases_*.go): its name, the
// endpoints it calls, and a function. An entry whose endpoints tailapi does
// not serve yet (read from tailapi's /api/v2/openapi.json) is skipped with a
// message naming them; it runs as soon as they land.
//
// Environment: TAILAPI_URL (the server's base URL, no /api/v2) and
// TAILAPI_API_KEY (an owner's API key of a tailnet the suite may change).
package clients

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tailscale "tailscale.com/client/tailscale/v2"
)

// clientCase is one Go-client method (or a small group of methods that only
// make sense together, such as Set and Get of one setting).
type clientCase struct {
	// Name is how the case is reported: Resource.Method[+Method…].
	Name string
	// Needs lists the endpoints the methods call, "METHOD /api/v2/path" with
	// {params}; the case is skipped until tailapi's OpenAPI document has them all.
	Needs []string
	// Waiting, when set, skips the case with this reason whatever is served
	// (for features no endpoint probe can detect).
	Waiting string
	// APIKeyOnly: the methods only make sense for a user's API key (e.g. they
	// act on the caller's own user), so the OAuth pass skips them, saying so.
	APIKeyOnly string
	Run        func(t *testing.T, s *suite)
}

// cases is the table every resource file appends to.
var cases []clientCase

func register(cs ...clientCase) { cases = append(cases, cs...) }

// suite is what a case gets: the client under test and the checker.
type suite struct {
	// C is the official client, authenticated as the pass decides (API key or OAuth).
	C *tailscale.Client
	// Mode is "apikey" or "oauth".
	Mode string
	// Tags are the tags auth keys and devices made through C must carry
	// (an OAuth token may only create tagged keys).
	Tags []string
	api  *api
}

var (
	env struct {
		base   *url.URL
		apiKey string
		// skip says why the live tests cannot run (no server given).
		skip string
	}
	servedOnce sync.Once
	served     map[string]bool
	servedErr  error
)

func TestMain(m *testing.M) {
	base, key := os.Getenv("TAILAPI_URL"), os.Getenv("TAILAPI_API_KEY")
	if base == "" || key == "" {
		env.skip = "TAILAPI_URL and TAILAPI_API_KEY are not set (npm run test:clients starts a server and sets them)"
		os.Exit(m.Run())
	}
	u, err := url.Parse(base)
	if err != nil {
		fmt.Fprintf(os.Stderr, "TAILAPI_URL: %v\n", err)
		os.Exit(2)
	}
	env.base, env.apiKey = u, key
	os.Exit(m.Run())
}

func TestWithAPIKey(t *testing.T) {
	if env.skip != "" {
		t.Skip(env.skip)
	}
	runAll(t, &suite{
		C:    &tailscale.Client{BaseURL: env.base, APIKey: env.apiKey, UserAgent: "tailapi-clients-go"},
		Mode: "apikey",
		Tags: []string{"tag:clients-go"},
		api:  &api{key: env.apiKey},
	})
}

func TestWithOAuth(t *testing.T) {
	if env.skip != "" {
		t.Skip(env.skip)
	}
	admin := &api{key: env.apiKey}
	resetPolicy(t, admin) // its tag needs an owner
	// The OAuth client is made over plain HTTP so that this pass does not depend
	// on the method under test in the other; Keys.CreateOAuthClient has its own case.
	var created struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	admin.must(t, "POST", "/tailnet/-/keys", map[string]any{
		"keyType": "client", "scopes": []string{"all"}, "tags": []string{"tag:clients-go"}, "description": "clients-go oauth pass",
	}, &created)
	t.Cleanup(func() { admin.do(t, "DELETE", "/tailnet/-/keys/"+created.ID, nil, nil) })
	runAll(t, &suite{
		C: &tailscale.Client{
			BaseURL:   env.base,
			UserAgent: "tailapi-clients-go",
			Auth:      &tailscale.OAuth{ClientID: created.ID, ClientSecret: created.Key},
		},
		Mode: "oauth",
		Tags: []string{"tag:clients-go"},
		api:  admin,
	})
}

func runAll(t *testing.T, s *suite) {
	resetPolicy(t, s.api)
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Fatalf("two cases named %s", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			if c.Waiting != "" {
				t.Skipf("waiting: %s", c.Waiting)
			}
			if c.Run == nil {
				t.Fatalf("case %s has neither Run nor Waiting", c.Name)
			}
			if missing := notServed(t, c.Needs); len(missing) > 0 {
				t.Skipf("waiting for %s (not served by this tailapi)", strings.Join(missing, ", "))
			}
			if s.Mode == "oauth" && c.APIKeyOnly != "" {
				t.Skipf("API key only: %s", c.APIKeyOnly)
			}
			c.Run(t, s)
		})
	}
}

// ---- which endpoints tailapi serves ------------------------------------------------

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

func endpointKey(method, path string) string {
	return strings.ToUpper(method) + " " + paramRE.ReplaceAllString(path, "{}")
}

func notServed(t *testing.T, needs []string) []string {
	servedOnce.Do(func() {
		res, err := http.Get(env.base.JoinPath("/api/v2/openapi.json").String())
		if err != nil {
			servedErr = err
			return
		}
		defer res.Body.Close()
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
			servedErr = fmt.Errorf("openapi.json: %w", err)
			return
		}
		served = map[string]bool{}
		for p, ops := range doc.Paths {
			for m := range ops {
				served[endpointKey(m, p)] = true
			}
		}
	})
	if servedErr != nil {
		t.Fatalf("reading tailapi's OpenAPI document: %v", servedErr)
	}
	var missing []string
	for _, n := range needs {
		m, p, ok := strings.Cut(n, " ")
		if !ok {
			t.Fatalf("bad Needs entry %q", n)
		}
		if !served[endpointKey(m, p)] {
			missing = append(missing, n)
		}
	}
	return missing
}

// ---- tailapi's own answers, over plain HTTP with the API key -----------------------

type api struct{ key string }

// do sends one request to /api/v2<path> with the API key and decodes a JSON answer into out
// (a *[]byte gets the raw body). It returns the status.
func (a *api) do(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, env.base.String()+"/api/v2"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(a.key, "")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if p, ok := out.(*[]byte); ok {
			*p = raw
		} else if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, raw, err)
		}
	}
	return res.StatusCode
}

// raw sends one request with the API key and extra headers; body is sent as is
// (a string) or as JSON. It returns the status, the body and the response headers.
func (a *api) raw(t *testing.T, method, path string, body any, headers map[string]string) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, env.base.String()+"/api/v2"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(a.key, "")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out, res.Header
}

// must is do, failing the test on anything but 200.
func (a *api) must(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var raw []byte
	if st := a.do(t, method, path, body, &raw); st != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, path, st, raw)
	}
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = raw
		} else if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, raw, err)
		}
	}
}

// json returns tailapi's answer to GET path as generic JSON.
func (a *api) json(t *testing.T, path string) any {
	t.Helper()
	var v any
	a.must(t, "GET", path, nil, &v)
	return v
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// status is the status of GET path (for "is it gone").
func (a *api) status(t *testing.T, path string) int {
	t.Helper()
	return a.do(t, "GET", path, nil, nil)
}

// ---- fixtures: keys and devices made over plain HTTP -------------------------------

type authKeyOpts struct {
	Reusable, Ephemeral bool
	Tags                []string
}

// authKey creates an auth key with the API key and returns its secret.
func (a *api) authKey(t *testing.T, o authKeyOpts) string {
	t.Helper()
	var k struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	tags := o.Tags
	if tags == nil {
		tags = []string{}
	}
	a.must(t, "POST", "/tailnet/-/keys", map[string]any{
		"capabilities": map[string]any{"devices": map[string]any{"create": map[string]any{
			"reusable": o.Reusable, "ephemeral": o.Ephemeral, "preauthorized": true, "tags": tags,
		}}},
		"expirySeconds": 3600,
		"description":   "clients-go fixture",
	}, &k)
	t.Cleanup(func() { a.do(t, "DELETE", "/tailnet/-/keys/"+k.ID, nil, nil) })
	return k.Key
}

type deviceOpts struct {
	Hostname string
	Tags     []string
	Routes   []string
	OS       string
}

// wireDevice is the part of a device the fixtures need.
type wireDevice struct {
	ID     string `json:"id"`
	NodeID string `json:"nodeId"`
	Name   string `json:"name"`
}

// device registers a device through the node API (POST /machine/register) and
// deletes it when the test ends (if it still exists).
func (a *api) device(t *testing.T, o deviceOpts) wireDevice {
	t.Helper()
	authKey := a.authKey(t, authKeyOpts{Tags: o.Tags})
	if o.OS == "" {
		o.OS = "linux"
	}
	routes := o.Routes
	if routes == nil {
		routes = []string{}
	}
	body, _ := json.Marshal(map[string]any{
		"authKey": authKey, "nodeKey": "nodekey:" + randomHex(t), "machineKey": "mkey:" + randomHex(t),
		"hostname": o.Hostname, "os": o.OS, "osVersion": "6.1", "clientVersion": "1.80.0",
		"advertiseRoutes": routes,
	})
	res, err := http.Post(env.base.String()+"/machine/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /machine/register: status %d: %s", res.StatusCode, raw)
	}
	var r struct {
		Device wireDevice `json:"device"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.do(t, "DELETE", "/device/"+r.Device.NodeID, nil, nil) })
	return r.Device
}

func randomHex(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

var uniqueN struct {
	sync.Mutex
	n int
}

// unique returns prefix plus a suffix no other call in this run returns.
func unique(prefix string) string {
	uniqueN.Lock()
	defer uniqueN.Unlock()
	uniqueN.n++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1_000_000, uniqueN.n)
}

// uniqueInt returns a number no other call in this run returns.
func uniqueInt() int {
	uniqueN.Lock()
	defer uniqueN.Unlock()
	uniqueN.n++
	return uniqueN.n
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// ok fails the test when a client call returned an error.
func ok(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
