// Command go-conformance is the Go guest of the wabi conformance suite: the same exports, with the
// same semantics, as the Rust conformance guest, so that the host tests run identical cases
// against both.
//
// Build (a WASI reactor):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o go-conformance.wasm .
package main

import (
	"encoding/binary"
	"errors"

	"wabi.dev/wabi"
)

// main is not called in a c-shared (reactor) build; the host calls _initialize, then the exports.
func main() {}

//go:wasmexport noop
func noop(ptr, size uint32) uint64 {
	return wabi.Export0(ptr, size, func() (wabi.Unit, error) { return wabi.Unit{}, nil })
}

//go:wasmexport echo_bool
func echoBool(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(b bool) (bool, error) { return b, nil })
}

//go:wasmexport echo_ints
func echoInts(ptr, size uint32) uint64 {
	return wabi.Export8(ptr, size, func(a int8, b int16, c int32, d int64, e uint8, f uint16, g uint32, h uint64) ([]any, error) {
		return []any{a, b, c, d, e, f, g, h}, nil
	})
}

//go:wasmexport echo_floats
func echoFloats(ptr, size uint32) uint64 {
	return wabi.Export2(ptr, size, func(a float32, b float64) ([]any, error) {
		return []any{a, b}, nil // a stays a float 32 (ca), b a float 64 (cb)
	})
}

//go:wasmexport echo_string
func echoString(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(s string) (string, error) { return s, nil })
}

//go:wasmexport echo_str
func echoStr(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(s string) (string, error) { return s, nil })
}

//go:wasmexport echo_bytes
func echoBytes(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(b []byte) ([]byte, error) { return b, nil })
}

//go:wasmexport echo_option
func echoOption(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(o *string) (*string, error) { return o, nil })
}

//go:wasmexport echo_person
func echoPerson(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(p Person) (Person, error) { return p, nil })
}

//go:wasmexport echo_shape
func echoShape(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(s Shape) (Shape, error) { return s, nil })
}

//go:wasmexport echo_map
func echoMap(ptr, size uint32) uint64 {
	// A Rust BTreeMap<String, i64>: the SDK writes string-keyed maps with their keys sorted.
	return wabi.Export1(ptr, size, func(m map[string]int64) (map[string]int64, error) { return m, nil })
}

//go:wasmexport echo_hashmap
func echoHashmap(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(m wabi.Map[[]uint32]) (wabi.Map[[]uint32], error) { return m, nil })
}

//go:wasmexport echo_nested
func echoNested(ptr, size uint32) uint64 {
	type nested = wabi.Slice[wabi.Slice[[]uint32]] // Vec<Vec<Vec<u32>>>
	return wabi.Export1(ptr, size, func(v nested) (nested, error) { return v, nil })
}

//go:wasmexport echo_any
func echoAny(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(v any) (any, error) { return v, nil })
}

//go:wasmexport depth
func depthExport(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(v any) (uint32, error) { return depth(v), nil })
}

// depth is the maximum nesting of arrays and maps in v (a scalar is 0, [] is 1).
func depth(v any) uint32 {
	var deepest uint32
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			deepest = max(deepest, depth(el))
		}
	case map[string]any:
		for _, el := range x {
			deepest = max(deepest, depth(el))
		}
	case map[any]any:
		for k, el := range x {
			deepest = max(deepest, depth(k), depth(el))
		}
	default:
		return 0
	}
	return deepest + 1
}

//go:wasmexport concat3
func concat3(ptr, size uint32) uint64 {
	return wabi.Export3(ptr, size, func(a, b, c string) (string, error) { return a + b + c, nil })
}

//go:wasmexport greet
func greet(ptr, size uint32) uint64 {
	return wabi.Export2(ptr, size, func(p Person, greeting string) (string, error) {
		return greeting + ", " + p.Name + " (" + utoa(p.Age) + ")", nil
	})
}

//go:wasmexport fail
func fail(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(message string) (wabi.Unit, error) {
		return wabi.Unit{}, &AppError{Code: 42, Reason: message}
	})
}

//go:wasmexport fail_plain
func failPlain(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(message string) (wabi.Unit, error) {
		return wabi.Unit{}, errors.New(message)
	})
}

// boom panics. Under Go the SDK recovers the panic and answers with a Panic envelope (status
// 2): the instance stays usable (set wabi.AbortOnPanic to report it through wabi.panic instead,
// which makes the host discard the instance, as for Rust and TinyGo guests). Under TinyGo the
// panic traps.
//
//go:wasmexport boom
func boom(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(message string) (wabi.Unit, error) {
		panic(message)
	})
}

//go:wasmexport make_bytes
func makeBytes(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(n uint32) ([]byte, error) {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i % 251)
		}
		return b, nil
	})
}

func stats[T string | []byte](b T) Stats {
	var sum uint64
	for i := 0; i < len(b); i++ {
		sum += uint64(b[i])
	}
	return Stats{Len: uint64(len(b)), Checksum: sum}
}

//go:wasmexport bytes_stats
func bytesStats(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(b []byte) (Stats, error) { return stats(b), nil })
}

//go:wasmexport str_stats
func strStats(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(s string) (Stats, error) { return stats(s), nil })
}

//go:wasmexport raw_reverse
func rawReverse(ptr, size uint32) uint64 {
	return wabi.ExportRaw(ptr, size, func(in []byte) ([]byte, error) {
		out := make([]byte, len(in))
		for i, c := range in {
			out[len(in)-1-i] = c
		}
		return out, nil
	})
}

//go:wasmexport add_pair
func addPair(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(p Pair) (Sum, error) { return Sum{Sum: int64(p.A) + int64(p.B)}, nil })
}

//go:wasmexport pod_add
func podAdd(ptr, size uint32) uint64 {
	// Input: struct { a: i32, b: i32 } (8 bytes, little-endian); output: i64 a + b.
	return wabi.ExportPod(ptr, size, 8, func(in []byte) ([]byte, error) {
		a := int32(binary.LittleEndian.Uint32(in[0:]))
		b := int32(binary.LittleEndian.Uint32(in[4:]))
		return binary.LittleEndian.AppendUint64(nil, uint64(int64(a)+int64(b))), nil
	})
}

//go:wasmexport log_line
func logLine(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(message string) (wabi.Unit, error) {
		wabi.Info(message)
		return wabi.Unit{}, nil
	})
}

var count uint64

//go:wasmexport counter
func counter(ptr, size uint32) uint64 {
	return wabi.Export0(ptr, size, func() (uint64, error) {
		count++
		return count, nil
	})
}

//go:wasmexport renamed.fn
func renamed(ptr, size uint32) uint64 {
	return wabi.Export0(ptr, size, func() (string, error) { return "renamed", nil })
}

// grown keeps the memory grow_memory allocated reachable.
var grown [][]byte

//go:wasmexport grow_memory
func growMemory(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(pages uint32) (uint32, error) {
		if pages > 0 {
			grown = append(grown, make([]byte, int(pages)*65536))
		}
		return wabi.MemoryPages(), nil
	})
}

// --- Host functions (ABI 1.1): the test host registers add, echo_all, birthday, fail and
// descend, and gives the plugin configuration. ---

//go:wasmexport call_host_add
func callHostAdd(ptr, size uint32) uint64 {
	return wabi.Export2(ptr, size, func(a, b int64) (int64, error) {
		return wabi.CallHost2[int64]("add", a, b)
	})
}

//go:wasmexport call_host_echo_all
func callHostEchoAll(ptr, size uint32) uint64 {
	return wabi.Export5(ptr, size, func(p Person, s Shape, m map[string]int64, b []byte, f float32) (EchoAll, error) {
		return wabi.CallHost5[EchoAll]("echo_all", p, s, m, b, f)
	})
}

//go:wasmexport call_host_birthday
func callHostBirthday(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(p Person) (Person, error) {
		return wabi.CallHost1[Person]("birthday", p)
	})
}

// callHostFail returns "{message} (code {code})" from the error of the host's fail, or
// "unexpected success".
//
//go:wasmexport call_host_fail
func callHostFail(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(message string) (string, error) {
		_, err := wabi.CallHost1[wabi.Unit]("fail", message)
		if err == nil {
			return "unexpected success", nil
		}
		var he *wabi.HostError
		if !errors.As(err, &he) {
			return err.Error(), nil
		}
		if he.Value == nil {
			return he.Message + " (no value)", nil
		}
		value, err := wabi.Unmarshal[HostCode](he.Value)
		if err != nil {
			return he.Message + " (undecodable value: " + err.Error() + ")", nil
		}
		return he.Message + " (code " + utoa(value.Code) + ")", nil
	})
}

// callHostMissing returns the message of the error a call of an unregistered host function gets.
//
//go:wasmexport call_host_missing
func callHostMissing(ptr, size uint32) uint64 {
	return wabi.Export0(ptr, size, func() (string, error) {
		_, err := wabi.CallHost0[wabi.Unit]("no_such_host_fn")
		if err == nil {
			return "unexpected success", nil
		}
		var he *wabi.HostError
		if errors.As(err, &he) {
			return he.Message, nil
		}
		return err.Error(), nil
	})
}

// recurse returns n through n nested calls: the host's descend(n) calls back into recurse(n - 1).
//
//go:wasmexport recurse
func recurse(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(n uint32) (uint32, error) {
		if n == 0 {
			return 0, nil
		}
		return wabi.CallHost1[uint32]("descend", n)
	})
}

//go:wasmexport config_get
func configGet(ptr, size uint32) uint64 {
	return wabi.Export1(ptr, size, func(key string) (*string, error) {
		if v, ok := wabi.Config(key); ok {
			return &v, nil
		}
		return nil, nil
	})
}

// configBig returns the length in bytes of the configuration value big (0 when it is not set).
//
//go:wasmexport config_big
func configBig(ptr, size uint32) uint64 {
	return wabi.Export0(ptr, size, func() (uint32, error) {
		v, _ := wabi.Config("big")
		return uint32(len(v)), nil
	})
}

// --- Outbound HTTP (ABI 1.3): the test host grants HTTP to its own test server. ---

// httpFetch makes the request it is given through the SDK's HTTP API and returns the response
// as {status, headers, body}; an HTTP error is returned as it is, which gives an Error envelope
// with the host's message and the value {"kind": KIND}.
//
//go:wasmexport http_fetch
func httpFetch(ptr, size uint32) uint64 {
	// The argument decodes as the SDK's request value; the request sent is built anew through
	// the builder, which is what the cases check.
	return wabi.Export1(ptr, size, func(in wabi.HTTPRequest) (*wabi.HTTPResponse, error) {
		req := wabi.NewHTTPRequest(in.Method, in.URL)
		for _, h := range in.Headers {
			req.Header(h[0], h[1])
		}
		if len(in.Body) > 0 {
			req.SetBody(in.Body)
		}
		return req.Send()
	})
}
