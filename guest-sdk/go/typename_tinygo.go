//go:build tinygo

package wabi

// unknownTypeName cannot name a type without reflect under TinyGo (whose failed type assertions
// do not say which type they found, and which cannot recover in WebAssembly): errors then name
// the value's path only.
func unknownTypeName(v any) string {
	if v == nil {
		return "nil"
	}
	return ""
}
