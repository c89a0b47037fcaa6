//go:build !wasm && !tinygo.wasm

// Tests of outbound HTTP (ABI 1.3, section 4.4) in a native build: httpRequestHook plays the
// host's wabi.http_request, answering with envelopes in blocks from wabi_alloc, and the golden
// vectors of abi-spec/vectors/http.json give the requests and answers byte for byte.

package wabi

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

type httpVector struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Hex         string `json:"hex"`
}

func loadHTTPVectors(t testing.TB) map[string]httpVector {
	t.Helper()
	raw, err := os.ReadFile(vectorsDir + "http.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []httpVector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]httpVector{}
	for _, v := range doc.Vectors {
		out[v.Name] = v
	}
	if len(out) == 0 {
		t.Fatal("no vectors")
	}
	return out
}

// fakeHTTP installs hook as wabi.http_request for the test, and checks that every answer block
// was freed by the time the test ends (a block that failed the checks is the host's, not freed).
func fakeHTTP(t *testing.T, hook func(req []byte) uint64) {
	t.Helper()
	var answered []uint32
	httpRequestHook = func(req []byte) uint64 {
		packed := hook(req)
		answered = append(answered, uint32(packed>>32))
		return packed
	}
	t.Cleanup(func() {
		httpRequestHook = nil
		for _, p := range answered {
			if _, still := blocks[p]; still {
				t.Errorf("answer block %#x was not freed", p)
			}
		}
		if hostDepth != 0 {
			t.Errorf("host depth %d after the test", hostDepth)
			hostDepth = 0
		}
	})
}

// The requests of the golden vectors, built with the API.
func goldenRequests() map[string]*HTTPRequest {
	return map[string]*HTTPRequest{
		"request_get": NewHTTPRequest("GET", "http://127.0.0.1:8080/users/7"),
		"request_post": NewHTTPRequest("POST", "https://api.example.com/v1/check").
			Header("content-type", "application/json").
			Header("x-tag", "a").
			Header("x-tag", "b").
			SetBody([]byte(`{"id":7}`)),
	}
}

func TestHTTPRequestVectors(t *testing.T) {
	vectors := loadHTTPVectors(t)
	requests := goldenRequests()
	var sent string
	fakeHTTP(t, func(in []byte) uint64 {
		sent = hx(in)
		return answer(t, unhex(t, vectors["ok_204_empty"].Hex))
	})
	seen := 0
	for name, v := range vectors {
		if !strings.HasPrefix(name, "request_") {
			continue
		}
		seen++
		req := requests[name]
		if req == nil {
			t.Fatalf("no Go request for vector %s", name)
		}
		// Marshal, and what Send passes to the import.
		b, err := Marshal(req)
		if err != nil || hx(b) != v.Hex {
			t.Errorf("%s: Marshal\n got %s %v\nwant %s", name, hx(b), err, v.Hex)
		}
		sent = ""
		if _, err := req.Send(); err != nil {
			t.Fatal(err)
		}
		if sent != v.Hex {
			t.Errorf("%s: sent\n got %s\nwant %s", name, sent, v.Hex)
		}
		// And back.
		back, err := Unmarshal[HTTPRequest](unhex(t, v.Hex))
		want := *req
		if want.Headers == nil {
			want.Headers = [][2]string{}
		}
		if want.Body == nil {
			want.Body = []byte{}
		}
		if err != nil || !reflect.DeepEqual(back, want) {
			t.Errorf("%s: decoded %+v %v, want %+v", name, back, err, want)
		}
	}
	if seen != len(requests) {
		t.Fatalf("%d request vectors, %d Go requests", seen, len(requests))
	}
}

func TestHTTPRequestEncoding(t *testing.T) {
	// Empty headers and body are written 90, a nil and an empty slice alike.
	a, _ := Marshal(&HTTPRequest{Method: "GET", URL: "u", Headers: [][2]string{}, Body: []byte{}})
	b, _ := Marshal(NewHTTPRequest("GET", "u"))
	if hx(a) != hx(b) || !strings.HasSuffix(hx(a), "a76865616465727390a4626f647990") {
		t.Fatal(hx(a), hx(b))
	}
	// A value or a nil pointer.
	if c, _ := Marshal(*NewHTTPRequest("GET", "u")); hx(c) != hx(b) {
		t.Fatal(hx(c))
	}
	if c, _ := Marshal((*HTTPRequest)(nil)); hx(c) != "c0" {
		t.Fatal(hx(c))
	}
	// Headers and body may be absent, nil or c4 00 when decoded.
	for _, in := range []string{
		"82 a6 6d6574686f64 a3 474554 a3 75726c a1 75",
		"84 a6 6d6574686f64 a3 474554 a3 75726c a1 75 a7 68656164657273 c0 a4 626f6479 c400",
	} {
		r, err := Unmarshal[HTTPRequest](unhex(t, in))
		if err != nil || r.Method != "GET" || r.URL != "u" || len(r.Headers) != 0 || len(r.Body) != 0 {
			t.Fatalf("%s: %+v %v", in, r, err)
		}
	}
}

func TestHTTPOkVectors(t *testing.T) {
	vectors := loadHTTPVectors(t)
	var env []byte
	fakeHTTP(t, func([]byte) uint64 { return answer(t, env) })
	want := map[string]HTTPResponse{
		"ok_200":       {Status: 200, Headers: [][2]string{{"content-type", "text/plain"}}, Body: []byte("ok")},
		"ok_204_empty": {Status: 204, Headers: [][2]string{}, Body: []byte{}},
	}
	seen := 0
	for name, v := range vectors {
		if !strings.HasPrefix(name, "ok_") {
			continue
		}
		seen++
		w, ok := want[name]
		if !ok {
			t.Fatalf("no expected response for vector %s", name)
		}
		env = unhex(t, v.Hex)
		resp, err := HTTPGet("http://127.0.0.1/")
		if err != nil || !reflect.DeepEqual(*resp, w) {
			t.Errorf("%s: %+v %v, want %+v", name, resp, err, w)
			continue
		}
		// The response re-encodes to the envelope's body.
		b, err := Marshal(resp)
		if err != nil || hx(b) != hx(env[8:]) {
			t.Errorf("%s: re-encoded %s %v, want %s", name, hx(b), err, hx(env[8:]))
		}
	}
	if seen != len(want) {
		t.Fatalf("%d ok vectors, %d expected", seen, len(want))
	}
}

func TestHTTPErrorVectors(t *testing.T) {
	vectors := loadHTTPVectors(t)
	var env []byte
	fakeHTTP(t, func([]byte) uint64 { return answer(t, env) })
	kinds := map[HTTPErrorKind]bool{}
	for name, v := range vectors {
		kind, isError := strings.CutPrefix(name, "error_")
		if !isError {
			continue
		}
		env = unhex(t, v.Hex)
		resp, err := HTTPGet("https://evil.example/")
		var he *HTTPError
		if resp != nil || !errors.As(err, &he) {
			t.Fatalf("%s: %+v %#v", name, resp, err)
		}
		if string(he.Kind) != kind || !he.Kind.Known() || he.Message != v.Description || err.Error() != v.Description {
			t.Errorf("%s: %#v", name, he)
		}
		kinds[he.Kind] = true
		// Returned from an export, the error gives the same error body back.
		got := call(t, func(ptr, size uint32) uint64 {
			return Export0(ptr, size, func() (Unit, error) { return Unit{}, err })
		}, nil)
		if got.status != statusError || got.message != v.Description || hx(got.value) != hx(env[16+len(v.Description):]) {
			t.Errorf("%s: exported as %+v (value %s)", name, got, hx(got.value))
		}
	}
	for _, k := range []HTTPErrorKind{HTTPDenied, HTTPTimeout, HTTPTooLarge, HTTPConnect, HTTPLimit,
		HTTPBadRequest, HTTPTooManyRedirects} {
		if !kinds[k] {
			t.Errorf("no vector of kind %s", k)
		}
	}
}

func TestHTTPUnexpectedAnswers(t *testing.T) {
	var env []byte
	fakeHTTP(t, func([]byte) uint64 { return answer(t, env) })
	for _, c := range []struct {
		env  []byte
		kind HTTPErrorKind
		msg  string
	}{
		// A kind of a later ABI version: kept as sent (not Known, to be treated as connect).
		{errorEnvelope(nil, "http: quota", unhex(t, "81a46b696e64a571756f7461")), "quota", "http: quota"},
		// Other keys next to kind are ignored.
		{errorEnvelope(nil, "http: x", unhex(t, "82a178c0a46b696e64a774696d656f7574")), HTTPTimeout, "http: x"},
		// No value, a value without a kind, a kind that is not a string, an empty kind: connect.
		{errorEnvelope(nil, "http: no value", nil), HTTPConnect, "http: no value"},
		{errorEnvelope(nil, "http: m", unhex(t, "80")), HTTPConnect, "http: m"},
		{errorEnvelope(nil, "http: m", unhex(t, "81a46b696e6407")), HTTPConnect, "http: m"},
		{errorEnvelope(nil, "http: m", unhex(t, "81a46b696e64a0")), HTTPConnect, "http: m"},
		{errorEnvelope(nil, "http: m", unhex(t, "a3626164")), HTTPConnect, "http: m"},
		// Statuses the import never answers with.
		{messageEnvelope(nil, statusBadArguments, "what"), HTTPConnect,
			"http: the host answered with envelope status 3, which wabi.http_request never answers with: " +
				"the host could not decode the arguments of wabi.http_request: what"},
		{messageEnvelope(nil, statusBadResult, "what"), HTTPConnect, "envelope status 4, which"},
		{panicEnvelope(nil, "boom", "", 0, 0), HTTPConnect, "envelope status 2, which wabi.http_request " +
			"never answers with: wabi.http_request panicked: boom"},
		{unhex(t, "09000000 00000000"), HTTPConnect,
			"http: the host answered the call of wabi.http_request with an invalid envelope: unknown envelope status 9"},
		// Malformed envelopes.
		{unhex(t, "00000000"), HTTPConnect, "result envelope needs at least 8 bytes, got 4"},
		{unhex(t, "00000000 02000000 c0"), HTTPConnect, "envelope body_len claims 2 bytes but 1 are present"},
		{unhex(t, "01000000 09000000 01000000 00000000 ff"), HTTPConnect, "error message is not valid UTF-8"},
		// An Ok body that is not a response.
		{okEnvelope(t, unhex(t, "a178")), HTTPConnect, "http: cannot decode the result of wabi.http_request: "},
		{okEnvelope(t, unhex(t, "81a7686561646572739191a0")), HTTPConnect,
			`field "headers": element 0: a header is an array [name, value], got an array of 1`},
		{okEnvelope(t, unhex(t, "81a76865616465727391920107")), HTTPConnect, `element 0: name: expected str`},
	} {
		env = c.env
		_, err := HTTPGet("http://x/")
		var he *HTTPError
		if !errors.As(err, &he) || he.Kind != c.kind || !strings.Contains(he.Message, c.msg) {
			t.Errorf("%s: got %#v, want %s %q", hx(c.env), err, c.kind, c.msg)
		}
		if he != nil && he.Kind.Known() != (c.kind != "quota") {
			t.Errorf("%s: Known() = %v", he.Kind, he.Kind.Known())
		}
	}
}

func TestHTTPAnswerOutsideABlock(t *testing.T) {
	httpRequestHook = func([]byte) uint64 { return pack(0x1234, 8) }
	defer func() { httpRequestHook = nil }()
	_, err := HTTPGet("http://x/")
	var he *HTTPError
	if !errors.As(err, &he) || he.Kind != HTTPConnect || !strings.Contains(he.Message, "not in a block from wabi_alloc") {
		t.Fatalf("%#v", err)
	}
	p := alloc(8, 8)
	defer free(p, 8, 8)
	httpRequestHook = func([]byte) uint64 { return pack(p, 9) } // longer than the block
	if _, err := HTTPGet("http://x/"); !errors.As(err, &he) || he.Kind != HTTPConnect {
		t.Fatalf("%#v", err)
	}
	if _, still := blocks[p]; !still {
		t.Fatal("a block that failed the checks was freed")
	}
	if hostDepth != 0 {
		t.Fatalf("host depth %d", hostDepth)
	}
}

func TestHTTPUnencodableRequest(t *testing.T) {
	fakeHTTP(t, func([]byte) uint64 {
		t.Fatal("the host was called")
		return 0
	})
	_, err := NewHTTPRequest("GET", "http://x/").Header("x-bad", "\xff").Send()
	var he *HTTPError
	if !errors.As(err, &he) || he.Kind != HTTPBadRequest ||
		!strings.HasPrefix(he.Message, "http: cannot encode the request: ") {
		t.Fatalf("%#v", err)
	}
	// The encoder is usable again.
	httpRequestHook = func([]byte) uint64 {
		return answer(t, okEnvelope(t, unhex(t, "83a6737461747573cd01f4a76865616465727390a4626f647990")))
	}
	if r, err := HTTPGet("http://x/"); err != nil || r.Status != 500 {
		t.Fatal(r, err)
	}
}

func TestHTTPResponseHeaders(t *testing.T) {
	r := &HTTPResponse{Headers: [][2]string{{"set-cookie", "a=1"}, {"content-type", "text/plain"},
		{"set-cookie", "b=2"}, {"x-\u212a", "kelvin"}}}
	if v, ok := r.Header("Content-Type"); !ok || v != "text/plain" {
		t.Fatal(v, ok)
	}
	if v, ok := r.Header("SET-COOKIE"); !ok || v != "a=1" {
		t.Fatal(v, ok)
	}
	if v, ok := r.Header("content-length"); ok || v != "" {
		t.Fatal(v, ok)
	}
	if v := r.HeaderValues("Set-Cookie"); !reflect.DeepEqual(v, []string{"a=1", "b=2"}) {
		t.Fatal(v)
	}
	if r.HeaderValues("nope") != nil {
		t.Fatal("values of a missing header")
	}
	// ASCII case only, as Rust's eq_ignore_ascii_case: the Kelvin sign is not a k.
	if v, ok := r.Header("x-\u212a"); !ok || v != "kelvin" {
		t.Fatal("exact match")
	}
	if _, ok := r.Header("x-k"); ok {
		t.Fatal("the Kelvin sign matched k")
	}
	if _, ok := r.Header("x-\u212a\u212a"); ok {
		t.Fatal("longer name")
	}
	if asciiEqualFold("k", "\u212a") || asciiEqualFold("x-K", "x-\u212a") || !asciiEqualFold("X-k", "x-K") {
		t.Fatal("asciiEqualFold")
	}
}

func TestHTTPBuilder(t *testing.T) {
	r := NewHTTPRequest("PUT", "https://h/")
	if r.Header("a", "1").Header("A", "2").SetBody([]byte("b")) != r {
		t.Fatal("chaining")
	}
	if !reflect.DeepEqual(r.Headers, [][2]string{{"a", "1"}, {"A", "2"}}) || string(r.Body) != "b" {
		t.Fatalf("%+v", r)
	}
	if r.SetBody(nil).Body != nil {
		t.Fatal("SetBody(nil)")
	}
}

func TestNativeHTTPPanics(t *testing.T) {
	defer func() {
		r, _ := recover().(string)
		if !strings.Contains(r, "needs a wasm host (wabi.http_request)") {
			t.Errorf("recovered %q", r)
		}
		hostDepth = 0 // the panicking call left its encoder taken
	}()
	_, _ = HTTPGet("http://x/")
}

func TestHTTPErrorKindKnown(t *testing.T) {
	for _, k := range []HTTPErrorKind{"", "Denied", "quota", "connect "} {
		if k.Known() {
			t.Errorf("%q is known", k)
		}
	}
	e := &HTTPError{Kind: HTTPLimit, Message: "http: 8 requests per call"}
	if b, _ := Marshal(e); hx(b) != "81a46b696e64a56c696d6974" {
		t.Fatal(hx(b))
	}
}

// checkUserExport is the example of README.md's "Outbound HTTP", as it is written there.
func checkUserExport(ptr, size uint32) uint64 {
	return Export1(ptr, size, func(id string) (string, error) {
		resp, err := NewHTTPRequest("POST", "https://api.example.com/v1/check").
			Header("content-type", "application/json").
			Header("x-tag", "a"). // Header appends: a name may repeat, the order is kept
			Header("x-tag", "b").
			SetBody([]byte(`{"id":"` + id + `"}`)).
			Send()
		var he *HTTPError
		if errors.As(err, &he) && he.Kind == HTTPTimeout {
			return "try again later", nil
		}
		if err != nil {
			return "", err // the host's message and {"kind": ...} reach the caller as they are
		}
		if resp.Status != 200 { // 404 or 500 is a response, not an error
			return "", errors.New("check: status " + strconv.Itoa(resp.Status))
		}
		ct, _ := resp.Header("Content-Type") // case-insensitive, the first one
		return ct + ": " + string(resp.Body), nil
	})
}

func TestReadmeHTTP(t *testing.T) {
	vectors := loadHTTPVectors(t)
	var env []byte
	var sent []byte
	fakeHTTP(t, func(req []byte) uint64 {
		sent = append(sent[:0], req...)
		return answer(t, env)
	})
	in := mustMarshal(t, "7")
	env = unhex(t, vectors["ok_200"].Hex)
	got := call(t, checkUserExport, in)
	if s, err := Unmarshal[string](got.body); got.status != statusOk || err != nil || s != "text/plain: ok" {
		t.Fatalf("%+v %q %v", got, s, err)
	}
	req, err := Unmarshal[HTTPRequest](sent)
	if err != nil || req.Method != "POST" || string(req.Body) != `{"id":"7"}` ||
		!reflect.DeepEqual(req.Headers, [][2]string{{"content-type", "application/json"}, {"x-tag", "a"}, {"x-tag", "b"}}) {
		t.Fatalf("%+v %v", req, err)
	}
	env = unhex(t, vectors["error_timeout"].Hex)
	got = call(t, checkUserExport, in)
	if s, _ := Unmarshal[string](got.body); got.status != statusOk || s != "try again later" {
		t.Fatalf("%+v", got)
	}
	env = unhex(t, vectors["error_denied"].Hex)
	got = call(t, checkUserExport, in)
	if got.status != statusError || got.message != vectors["error_denied"].Description || hx(got.value) != "81a46b696e64a664656e696564" {
		t.Fatalf("%+v", got)
	}
	env = unhex(t, vectors["ok_204_empty"].Hex)
	got = call(t, checkUserExport, in)
	if got.status != statusError || got.message != "check: status 204" || len(got.value) != 0 {
		t.Fatalf("%+v", got)
	}
}
