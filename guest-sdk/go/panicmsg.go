package wabi

import "strconv"

// panicMessage renders a panic value as Go and TinyGo print it for the common cases, without
// fmt (used by protect in protect.go and protect_tinygo.go).
func panicMessage(r any) string {
	switch v := r.(type) {
	case nil:
		// TinyGo's recover reports panic(nil) as nil (Go 1.21+ gives a *runtime.PanicNilError).
		return "panic called with nil argument"
	case string:
		return v
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	}
	if s, ok := scalarText(r); ok {
		return s
	}
	return "panic with a value that is not a string, an error or a number"
}

// scalarText renders a bool or a number as Go prints it (strconv, without fmt), for panic
// messages and map keys in error paths.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.FormatInt(int64(x), 10), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), true
	case uint8:
		return strconv.FormatUint(uint64(x), 10), true
	case uint16:
		return strconv.FormatUint(uint64(x), 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uintptr:
		return strconv.FormatUint(uint64(x), 10), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}
