// Command gateway is the Go twin of the Rust gateway plugin (examples/guests/gateway): the same
// export, transform(Request) -> Action, with the same configuration and exactly the same results,
// checked byte for byte by examples/tests/gateway.rs.
//
// Configuration (read with wabi.Config):
//
//	block_prefix    (none)     comma-separated path prefixes; a matching request is answered with 403
//	strip_prefix    "/api"     removed from the front of the path when it is a whole segment
//	remove_headers  "x-debug"  comma-separated header names removed before forwarding (any case)
//
// Every forwarded request gets x-gateway: wabi, and x-original-path when its path was rewritten.
//
// Build (a WASI reactor; examples/build.rs does this for the tests):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o gateway.wasm .
package main

import (
	"strings"

	"wabi.dev/wabi"
)

// main is not called in a c-shared (reactor) build; the host calls _initialize, then the exports.
func main() {}

//go:wasmexport transform
func transform(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(req Request) (Action, error) {
		return apply(req), nil
	})
}

// setting is the configuration value of key, or def when the host did not set it.
func setting(key, def string) string {
	if v, ok := wabi.Config(key); ok {
		return v
	}
	return def
}

// list is the non-empty, trimmed items of a comma-separated list.
func list(value string) []string {
	var out []string
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// asciiLower lower-cases ASCII letters only, like Rust's to_ascii_lowercase.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// strip removes prefix from path when it is a whole segment (/api/x -> /x, /api -> /,
// /api?q -> /?q, /apix -> no match).
func strip(path, prefix string) (string, bool) {
	prefix = strings.TrimRight(prefix, "/")
	if prefix == "" || !strings.HasPrefix(path, prefix) {
		return "", false
	}
	rest := path[len(prefix):]
	switch {
	case rest == "":
		return "/", true
	case rest[0] == '/':
		return rest, true
	case rest[0] == '?':
		return "/" + rest, true
	}
	return "", false
}

func apply(req Request) Action {
	for _, prefix := range list(setting("block_prefix", "")) {
		if strings.HasPrefix(req.Path, prefix) {
			return Action{Respond: &Response{
				Status: 403,
				Headers: map[string]string{
					"content-type": "text/plain; charset=utf-8",
					"x-blocked-by": "wabi-gateway",
				},
				Body: []byte("blocked: " + req.Path + " matches the rule " + prefix + "\n"),
			}}
		}
	}
	if req.Headers == nil {
		req.Headers = map[string]string{}
	}
	for _, name := range list(asciiLower(setting("remove_headers", "x-debug"))) {
		for key := range req.Headers {
			if asciiLower(key) == name {
				delete(req.Headers, key)
			}
		}
	}
	if path, ok := strip(req.Path, setting("strip_prefix", "/api")); ok {
		req.Headers["x-original-path"] = req.Path
		req.Path = path
	}
	req.Headers["x-gateway"] = "wabi"
	return Action{Forward: &req}
}
