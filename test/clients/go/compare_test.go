package clients

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	tailscale "tailscale.com/client/tailscale/v2"
)

var (
	tsTimeType   = reflect.TypeOf(tailscale.Time{})
	timeType     = reflect.TypeOf(time.Time{})
	durationType = reflect.TypeOf(time.Duration(0))
)

// sameAsAPI checks that got, a value the Go client returned, holds exactly
// what tailapi's API answered (raw, generic JSON from the same or an
// equivalent endpoint): every field the client's type declares is compared
// with the API's field of that name (matched as Go's decoder matches it,
// ignoring case). A field the API sent but the client dropped or read
// differently fails. Fields the client's type does not declare are listed in
// the log, not failed: a client ignores what it does not know.
func sameAsAPI(t *testing.T, what string, got any, raw any) {
	t.Helper()
	var diffs, unread []string
	compareValue(what, reflect.ValueOf(got), raw, true, &diffs, &unread)
	if len(unread) > 0 {
		sort.Strings(unread)
		t.Logf("%s: fields the client does not read: %s", what, strings.Join(unread, ", "))
	}
	if len(diffs) > 0 {
		t.Errorf("%s: the client's value differs from tailapi's answer:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

func reflectValue(x any) reflect.Value { return reflect.ValueOf(x) }

func compareValue(path string, v reflect.Value, raw any, present bool, diffs, unread *[]string) {
	bad := func(format string, a ...any) { *diffs = append(*diffs, path+": "+fmt.Sprintf(format, a...)) }
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			if present && raw != nil && !isZeroJSON(raw) {
				bad("client has nothing, API sent %s", show(raw))
			}
			return
		}
		if v.Kind() == reflect.Interface {
			// any-typed values (posture attribute values, policy bodies) hold decoded JSON.
			if !reflect.DeepEqual(normalizeJSON(v.Interface()), normalizeJSON(raw)) {
				bad("client has %s, API sent %s", show(v.Interface()), show(raw))
			}
			return
		}
		v = v.Elem()
	}
	if !present || raw == nil {
		if !v.IsZero() && !isZeroTime(v) && !(v.Kind() == reflect.Slice && v.Len() == 0) {
			bad("client has %s, API sent nothing", show(v.Interface()))
		}
		return
	}
	switch {
	case v.Type() == tsTimeType || v.Type() == timeType:
		var tm time.Time
		if v.Type() == tsTimeType {
			tm = v.Interface().(tailscale.Time).Time
		} else {
			tm = v.Interface().(time.Time)
		}
		s, isStr := raw.(string)
		if !isStr {
			bad("API sent %s for a time", show(raw))
			return
		}
		if s == "" {
			if !tm.IsZero() {
				bad("client has %s, API sent \"\"", tm.Format(time.RFC3339Nano))
			}
			return
		}
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad("API sent %q, not an RFC 3339 time", s)
			return
		}
		if !tm.Equal(want) {
			bad("client has %s, API sent %s", tm.Format(time.RFC3339Nano), s)
		}
		return
	case v.Type() == durationType:
		// Key.expirySeconds: the client reads the API's integer into a Duration, unchanged.
		n, isNum := raw.(float64)
		if !isNum || int64(n) != int64(v.Interface().(time.Duration)) {
			bad("client has %d, API sent %s", int64(v.Interface().(time.Duration)), show(raw))
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		obj, isObj := raw.(map[string]any)
		if !isObj {
			bad("API sent %s for an object", show(raw))
			return
		}
		known := map[string]bool{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				// Embedded struct: its fields are this object's fields.
				compareValue(path, v.Field(i), raw, true, diffs, unread)
				markKnown(f.Type, known)
				continue
			}
			if name == "" {
				name = f.Name
			}
			key, ok := lookup(obj, name)
			known[strings.ToLower(name)] = true
			compareValue(path+"."+name, v.Field(i), obj[key], ok, diffs, unread)
		}
		for k := range obj {
			if !known[strings.ToLower(k)] {
				*unread = append(*unread, path+"."+k)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if s, isStr := raw.(string); !isStr || s != string(v.Bytes()) {
				bad("client has %q, API sent %s", v.Bytes(), show(raw))
			}
			return
		}
		arr, isArr := raw.([]any)
		if !isArr {
			bad("API sent %s for a list", show(raw))
			return
		}
		if len(arr) != v.Len() {
			bad("client has %d items %s, API sent %d %s", v.Len(), show(v.Interface()), len(arr), show(raw))
			return
		}
		for i := range arr {
			compareValue(fmt.Sprintf("%s[%d]", path, i), v.Index(i), arr[i], true, diffs, unread)
		}
	case reflect.Map:
		obj, isObj := raw.(map[string]any)
		if !isObj {
			bad("API sent %s for a map", show(raw))
			return
		}
		if len(obj) != v.Len() {
			bad("client has %d entries %s, API sent %d %s", v.Len(), show(v.Interface()), len(obj), show(raw))
			return
		}
		for k, rv := range obj {
			mv := v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))
			if !mv.IsValid() {
				bad("client lacks key %q", k)
				continue
			}
			compareValue(path+"["+k+"]", mv, rv, true, diffs, unread)
		}
	default:
		if !reflect.DeepEqual(normalizeJSON(v.Interface()), normalizeJSON(raw)) {
			bad("client has %s, API sent %s", show(v.Interface()), show(raw))
		}
	}
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	return name
}

func markKnown(t reflect.Type, known map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			name = f.Name
		}
		known[strings.ToLower(name)] = true
	}
}

// lookup finds a JSON key as encoding/json does: exact match first, then case-insensitive.
func lookup(obj map[string]any, name string) (string, bool) {
	if _, ok := obj[name]; ok {
		return name, true
	}
	for k := range obj {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

func isZeroTime(v reflect.Value) bool {
	switch v.Type() {
	case tsTimeType:
		return v.Interface().(tailscale.Time).IsZero()
	case timeType:
		return v.Interface().(time.Time).IsZero()
	}
	return false
}

func isZeroJSON(raw any) bool {
	switch x := raw.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// normalizeJSON turns any Go value into the generic form encoding/json decodes to.
func normalizeJSON(x any) any {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("unmarshalable %T", x)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func show(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("%v", x)
	}
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
