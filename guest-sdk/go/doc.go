// Package wabi is the Go guest SDK of wabi: it turns Go functions into WebAssembly exports that a
// wabi host calls like ordinary functions (ABI v1.3, see abi-spec/ABI.md in the wabi repository).
//
// A plugin exports each function with one directive and one SDK call:
//
//	//go:wasmexport greet
//	func greet(ptr, size uint32) uint64 {
//		return wabi.Export2(ptr, size, func(p Person, greeting string) (string, error) {
//			return greeting + ", " + p.Name, nil
//		})
//	}
//
// A plugin calls the host functions the embedder registers with [CallHost1] and its siblings,
// reads its configuration with [Config], and makes outbound HTTP requests, when the embedder
// grants them, with [NewHTTPRequest] and [HTTPGet].
//
// The package exports the ABI's own functions (wabi_abi_version, wabi_alloc, wabi_free,
// wabi_scratch) itself; importing it is enough.
//
// The package also contains a MessagePack codec without reflection ([Encoder], [Decoder],
// [Marshaler], [Unmarshaler] and generic helpers) that follows the canonical encoding of the ABI,
// so that it compiles with TinyGo and produces the same bytes as the Rust SDK.
//
// The SDK is single-threaded by design (WebAssembly is): it uses no goroutines and no locks.
package wabi
