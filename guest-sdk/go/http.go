package wabi

import "strconv"

// Outbound HTTP (ABI 1.3, section 4.4).
//
// A plugin has no network access unless the embedder grants it HTTP to listed hosts. A request
// is built with [NewHTTPRequest] and sent with [HTTPRequest.Send], which encodes it, calls the
// wabi.http_request import and decodes the host's answer, exactly like a host function's:
//
//	resp, err := wabi.NewHTTPRequest("POST", "https://api.example.com/v1/check").
//		Header("content-type", "application/json").
//		SetBody([]byte(`{"id":7}`)).
//		Send()
//
// The answer is a response (any status, 404 and 500 included) or an *HTTPError whose Kind says
// why there is none. The host does every check (grant, limits, host-owned headers); the SDK
// checks nothing before it sends, so the error a plugin gets is always the host's.
//
// Outside WebAssembly (go test) there is no host: Send panics unless a test has installed a
// stand-in (see abi_native.go).

// HTTPErrorKind says why a request got no response: the kind of the host's error value
// ({"kind": KIND}, ABI section 4.4), as the string the host sent.
//
// A later minor version of the ABI may add kinds, and a kind this SDK does not know is kept as
// the host sent it (see [HTTPErrorKind.Known]): handle it like [HTTPConnect], which a switch does
// with a default case:
//
//	switch he.Kind {
//	case wabi.HTTPDenied: ...
//	case wabi.HTTPTimeout: ...
//	default: // HTTPConnect, and kinds of later ABI versions
//	}
type HTTPErrorKind string

const (
	// HTTPDenied: the plugin may not make this request: no HTTP grant; a scheme, host, port or
	// method the grant does not list; a name that resolves to an address the grant does not
	// allow (loopback, private, link-local, metadata ...); or a redirect to any of those.
	HTTPDenied HTTPErrorKind = "denied"
	// HTTPTimeout: no complete response within the grant's request timeout, or within what is
	// left of the call's own deadline.
	HTTPTimeout HTTPErrorKind = "timeout"
	// HTTPTooLarge: the request body, or the response's headers or body, is larger than the
	// grant allows.
	HTTPTooLarge HTTPErrorKind = "too_large"
	// HTTPConnect: the name does not resolve, the connection or TLS handshake failed, or the
	// server broke HTTP. The SDK also reports an answer of the host that is not a valid one
	// (a malformed envelope, a status the import never answers with) as this kind.
	HTTPConnect HTTPErrorKind = "connect"
	// HTTPLimit: the plugin has already made as many requests during this call as the grant
	// allows (every redirect the host follows counts).
	HTTPLimit HTTPErrorKind = "limit"
	// HTTPBadRequest: the request does not decode, or its URL, method or a header is invalid or
	// one the host sets itself (host, content-length, transfer-encoding, connection, upgrade,
	// te, trailer, keep-alive, proxy-connection). The SDK also reports a request it cannot
	// encode (a string that is not valid UTF-8) as this kind, without calling the host.
	HTTPBadRequest HTTPErrorKind = "bad_request"
	// HTTPTooManyRedirects: the grant follows redirects and the server sent more than it allows.
	HTTPTooManyRedirects HTTPErrorKind = "too_many_redirects"
)

// Known reports whether k is one of the kinds of ABI 1.3. A kind that is not known must be
// treated like [HTTPConnect].
func (k HTTPErrorKind) Known() bool {
	switch k {
	case HTTPDenied, HTTPTimeout, HTTPTooLarge, HTTPConnect, HTTPLimit, HTTPBadRequest, HTTPTooManyRedirects:
		return true
	}
	return false
}

// HTTPError is a request that got no response. Message is the host's text for people (which
// host, which limit, what to change; it begins with "http: "), Kind is for programs:
//
//	var he *wabi.HTTPError
//	if errors.As(err, &he) && he.Kind == wabi.HTTPTimeout { ... }
//
// An *HTTPError returned from an export gives an Error envelope with the same message and the
// same value {"kind": KIND} as the host's answer, so a caller of the plugin sees the host's error.
type HTTPError struct {
	Kind    HTTPErrorKind
	Message string
}

func (e *HTTPError) Error() string { return e.Message }

// MarshalMsg writes the error's value, {"kind": KIND}.
func (e *HTTPError) MarshalMsg(enc *Encoder) { enc.Map(1).Str("kind", string(e.Kind)) }

// HTTPRequest is an outbound request: a method (upper case, compared case-sensitively by the
// host), an absolute http:// or https:// URL, header fields in order (a name may repeat) and a
// body (nil or empty: none).
type HTTPRequest struct {
	Method  string
	URL     string
	Headers [][2]string // [name, value] pairs
	Body    []byte
}

// NewHTTPRequest returns a request with no headers and no body.
func NewHTTPRequest(method, url string) *HTTPRequest {
	return &HTTPRequest{Method: method, URL: url}
}

// Header appends the header field name: value (after any already added, also of the same name)
// and returns r, to chain calls.
func (r *HTTPRequest) Header(name, value string) *HTTPRequest {
	r.Headers = append(r.Headers, [2]string{name, value})
	return r
}

// SetBody sets the request body (nil or empty: no body) and returns r. The slice is not copied
// until Send.
func (r *HTTPRequest) SetBody(b []byte) *HTTPRequest {
	r.Body = b
	return r
}

// Send makes the request through the wabi.http_request import and returns the final response
// (after the redirects the host's grant lets it follow), whatever its status, or an *HTTPError.
func (r *HTTPRequest) Send() (*HTTPResponse, error) {
	e := beginHostCall()
	r.MarshalMsg(e)
	encodeErr := e.err
	var packed uint64
	if encodeErr == nil {
		packed = httpRequest(e.buf)
	}
	endHostCall(e)
	if encodeErr != nil {
		return nil, &HTTPError{Kind: HTTPBadRequest, Message: "http: cannot encode the request: " + encodeErr.Error()}
	}
	resp, err := receive[HTTPResponse](callee{http: true}, packed)
	if err != nil {
		return nil, httpError(err)
	}
	return &resp, nil
}

// HTTPGet sends a GET request for url with no headers.
func HTTPGet(url string) (*HTTPResponse, error) {
	return NewHTTPRequest("GET", url).Send()
}

// MarshalMsg writes the request as wabi.http_request takes it: the map {method, url, headers,
// body}, all four keys in this order (no headers: 90; no body: 90, as for any empty byte string).
func (r *HTTPRequest) MarshalMsg(e *Encoder) {
	if r == nil {
		e.WriteNil()
		return
	}
	e.Map(4).Str("method", r.Method).Str("url", r.URL).Key("headers")
	writeHeaders(e, r.Headers)
	e.Bin("body", r.Body)
}

// UnmarshalMsg reads a request map; headers and body may be absent, nil, or empty (90, c4 00),
// and unknown keys are skipped. (For a plugin that receives a request to forward.)
func (r *HTTPRequest) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "method":
			r.Method, err = d.ReadString()
		case "url":
			r.URL, err = d.ReadString()
		case "headers":
			r.Headers, err = readHeaders(d)
		case "body":
			r.Body, err = d.ReadBytes()
		}
		return err
	})
}

// HTTPResponse is the host's answer to a request: the final response's status code (100-999), its
// header fields in the order received (names in lower case, values UTF-8 with invalid bytes
// replaced by U+FFFD) and the whole body.
type HTTPResponse struct {
	Status  int
	Headers [][2]string // [name, value] pairs
	Body    []byte
}

// Header returns the value of the first header field named name, compared case-insensitively
// (ASCII), and whether there is one.
func (r *HTTPResponse) Header(name string) (string, bool) {
	for _, h := range r.Headers {
		if asciiEqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// HeaderValues returns the values of every header field named name (compared case-insensitively),
// in order; nil if there is none.
func (r *HTTPResponse) HeaderValues(name string) []string {
	var out []string
	for _, h := range r.Headers {
		if asciiEqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

// MarshalMsg writes the response as the host answers it: the map {status, headers, body}, keys in
// this order (an empty body as 90).
func (r *HTTPResponse) MarshalMsg(e *Encoder) {
	if r == nil {
		e.WriteNil()
		return
	}
	e.Map(3).Int("status", r.Status).Key("headers")
	writeHeaders(e, r.Headers)
	e.Bin("body", r.Body)
}

// UnmarshalMsg reads a response map; unknown keys are skipped.
func (r *HTTPResponse) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "status":
			r.Status, err = d.ReadInt()
		case "headers":
			r.Headers, err = readHeaders(d)
		case "body":
			r.Body, err = d.ReadBytes()
		}
		return err
	})
}

// writeHeaders writes header fields as an array of [name, value] arrays.
func writeHeaders(e *Encoder, headers [][2]string) {
	e.WriteArrayHeader(len(headers))
	for _, h := range headers {
		e.WriteArrayHeader(2)
		e.WriteString(h[0])
		e.WriteString(h[1])
	}
}

// readHeaders reads an array of [name, value] arrays (nil: none).
func readHeaders(d *Decoder) ([][2]string, error) {
	return DecodeSlice(d, readHeader)
}

func readHeader(d *Decoder) (h [2]string, err error) {
	n, err := d.ReadArrayHeader()
	if err != nil {
		return h, err
	}
	if n != 2 {
		return h, d.errf("a header is an array [name, value], got an array of " + strconv.Itoa(n))
	}
	if err := d.enter(); err != nil {
		return h, err
	}
	defer d.leave()
	at := d.pos
	if h[0], err = d.ReadString(); err != nil {
		return h, wrapErr(err, "name", at)
	}
	at = d.pos
	if h[1], err = d.ReadString(); err != nil {
		return h, wrapErr(err, "value", at)
	}
	return h, nil
}

// httpError turns a failed answer of wabi.http_request (a *HostError from receive) into an
// *HTTPError: the host's Error envelope keeps its message and kind (connect when its value has
// no kind); anything else the host must not answer with is a connect error saying what it was.
func httpError(err error) *HTTPError {
	he, ok := err.(*HostError)
	if !ok {
		return &HTTPError{Kind: HTTPConnect, Message: "http: " + err.Error()}
	}
	switch he.Kind {
	case HostKindError:
		kind, ok := httpErrorKind(he.Value)
		if !ok {
			kind = HTTPConnect
		}
		return &HTTPError{Kind: kind, Message: he.Message}
	case HostKindBadArguments, HostKindBadResult, HostKindPanic:
		status := statusBadArguments
		switch he.Kind {
		case HostKindBadResult:
			status = statusBadResult
		case HostKindPanic:
			status = statusPanic
		}
		return &HTTPError{Kind: HTTPConnect, Message: "http: the host answered with envelope status " +
			utoa(status) + ", which wabi.http_request never answers with: " + he.Message}
	}
	return &HTTPError{Kind: HTTPConnect, Message: "http: " + he.Message}
}

// httpErrorKind reads the kind of an error value {"kind": KIND}; false when there is none.
func httpErrorKind(value []byte) (HTTPErrorKind, bool) {
	if len(value) == 0 {
		return "", false
	}
	d := Decoder{buf: value}
	var kind string
	found := false
	err := d.ReadFields(func(key string) (err error) {
		if key == "kind" {
			kind, err = d.ReadString()
			found = err == nil
		}
		return err
	})
	if err != nil || !found || kind == "" {
		return "", false
	}
	return HTTPErrorKind(kind), true
}

// asciiEqualFold reports whether a and b are equal ignoring ASCII case (as Rust's
// eq_ignore_ascii_case: other bytes must be equal).
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
