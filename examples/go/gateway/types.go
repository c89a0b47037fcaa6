package main

import "wabi.dev/wabi"

// Request is the Rust struct
//
//	struct Request { method: String, path: String, headers: BTreeMap<String, String>, body: Vec<u8> }
//
// headers and body may be absent (Rust: #[serde(default)]); method and path may not.
type Request struct {
	Method  string
	Path    string
	Headers map[string]string
	Body    []byte
}

// MarshalMsg writes the fields in the Rust declaration order, keyed by name.
func (r Request) MarshalMsg(e *wabi.Encoder) {
	e.Map(4).Str("method", r.Method).Str("path", r.Path).Key("headers")
	wabi.EncodeMap(e, r.Headers, (*wabi.Encoder).WriteString)
	e.Bin("body", r.Body)
}

// UnmarshalMsg reads the fields by name; unknown fields are skipped.
func (r *Request) UnmarshalMsg(d *wabi.Decoder) error {
	var hasMethod, hasPath bool
	err := d.ReadFields(func(key string) (err error) {
		switch key {
		case "method":
			r.Method, err = d.ReadString()
			hasMethod = true
		case "path":
			r.Path, err = d.ReadString()
			hasPath = true
		case "headers":
			r.Headers, err = wabi.DecodeMap(d, (*wabi.Decoder).ReadString)
		case "body":
			r.Body, err = d.ReadBytes()
		}
		return err
	})
	switch {
	case err != nil:
		return err
	case !hasMethod:
		return wabi.BadArguments("missing field `method`")
	case !hasPath:
		return wabi.BadArguments("missing field `path`")
	}
	return nil
}

// Response is the Rust struct Response { status: u16, headers: BTreeMap<String, String>, body: Vec<u8> }.
type Response struct {
	Status  uint16
	Headers map[string]string
	Body    []byte
}

// MarshalMsg writes the fields in the Rust declaration order.
func (r Response) MarshalMsg(e *wabi.Encoder) {
	e.Map(3).Uint16("status", r.Status).Key("headers")
	wabi.EncodeMap(e, r.Headers, (*wabi.Encoder).WriteString)
	e.Bin("body", r.Body)
}

// Action is the Rust enum Action { Forward(Request), Respond(Response) }: exactly one field is set.
type Action struct {
	Forward *Request
	Respond *Response
}

// MarshalMsg writes the variant externally tagged, as serde does: {"Forward": {...}}.
func (a Action) MarshalMsg(e *wabi.Encoder) {
	switch {
	case a.Forward != nil:
		e.Variant("Forward").Write(*a.Forward)
	case a.Respond != nil:
		e.Variant("Respond").Write(*a.Respond)
	default:
		e.SetError(&wabi.EncodeError{Msg: "an Action needs Forward or Respond"})
	}
}
