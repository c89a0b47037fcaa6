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
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.FormatInt(int64(v), 10)
	case int8:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint:
		return strconv.FormatUint(uint64(v), 10)
	case uint8:
		return strconv.FormatUint(uint64(v), 10)
	case uint16:
		return strconv.FormatUint(uint64(v), 10)
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case uintptr:
		return strconv.FormatUint(uint64(v), 10)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return "panic with a value that is not a string, an error or a number"
}
