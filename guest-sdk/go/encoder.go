package wabi

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Marshaler is implemented by types that write themselves as one MessagePack value.
//
// A struct writes a map keyed by field name, fields in declaration order (the Rust SDK's order):
//
//	func (p Person) MarshalMsg(e *wabi.Encoder) {
//		e.Map(4).Str("name", p.Name).Uint32("age", p.Age).OptStr("email", p.Email).Key("tags")
//		wabi.EncodeSlice(e, p.Tags, (*wabi.Encoder).WriteString)
//	}
//
// MarshalMsg cannot return an error: it records one with [Encoder.SetError] instead, which turns
// the call's result into a BadResult envelope.
type Marshaler interface {
	MarshalMsg(e *Encoder)
}

// Encoder appends MessagePack values to a byte slice, always in the canonical form of the ABI:
// integers in their smallest form (non-negative values with the unsigned markers whatever the Go
// type), float32 as float 32 and float64 as float 64, strings as str (checked to be UTF-8), byte
// slices as bin, map entries in the canonical key order ([Encoder.WriteAny]).
//
// It refuses what a decoder would refuse: a string that is not UTF-8, nesting deeper than
// [MaxDepth] containers (counted over the containers [Encoder.WriteAny] and the generic helpers
// write: [EncodeSlice], [EncodeMap], [Slice], [Map]; headers written by hand are not counted),
// and, in dynamic maps, two keys that encode the same.
//
// Errors (those, a length that does not fit MessagePack, an unsupported type) are sticky: the
// first one is kept and [Encoder.Err] reports it, as an [*EncodeError] that says where the value
// is ($.field["key"][index]) and its Go type. The containers WriteAny and the generic helpers
// write stop at the first error; other writes still append. The zero Encoder is ready to use.
type Encoder struct {
	buf   []byte
	err   error
	depth int // containers open in WriteAny and the generic helpers
}

// NewEncoder returns an encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the bytes written so far (including whatever buf held when the encoder was made).
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes in the buffer.
func (e *Encoder) Len() int { return len(e.buf) }

// Reset makes the encoder append to buf and forgets any error.
func (e *Encoder) Reset(buf []byte) {
	e.buf = buf
	e.err = nil
	e.depth = 0
}

// Err returns the first error recorded while encoding, or nil.
func (e *Encoder) Err() error { return e.err }

// SetError records err (the first error wins). Use it from MarshalMsg when a value cannot be
// encoded.
func (e *Encoder) SetError(err error) {
	if e.err == nil && err != nil {
		e.err = err
	}
}

func (e *Encoder) fail(msg string) { e.SetError(&EncodeError{Msg: msg}) }

// failType records an error about a value of the Go type typ.
func (e *Encoder) failType(msg, typ string) { e.SetError(&EncodeError{Msg: msg, Type: typ}) }

// EncodeError is recorded by an [Encoder] that cannot write a value.
type EncodeError struct {
	// Path is where the value is in the value being encoded, "" for that value itself: .name for
	// a field written by a field helper (Str, Any, Value, ...; ["name"] when the name is not an
	// identifier), ["key"] or [key] for a map entry, [i] for an array element. Error() writes it
	// after a $.
	Path string
	Type string // the Go type of the value that could not be written, when known
	Msg  string
	Err  error // the error a MarshalMsg recorded with SetError, if this wraps one

	path pathPrefix
}

func (err *EncodeError) Error() string { return "msgpack encode: $" + err.Path + ": " + err.Msg }

// Unwrap returns the error a MarshalMsg recorded, if any.
func (err *EncodeError) Unwrap() error { return err.Err }

// inside adds the path segment seg in front of the path of the error recorded while the value at
// seg was being written.
func (e *Encoder) inside(seg string) {
	ee, ok := e.err.(*EncodeError)
	if !ok {
		ee = &EncodeError{Msg: e.err.Error(), Err: e.err}
		e.err = ee
	}
	ee.Path = ee.path.prepend(seg, ee.Path)
}

// field ends a field helper: an error recorded since before (the error then) was in field k.
func (e *Encoder) field(before error, k string) {
	if before == nil && e.err != nil {
		e.inside(fieldSegment(k))
	}
}

// fieldSegment is .k for an identifier, else ["k"].
func fieldSegment(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return "." + k
}

func indexSegment(i int) string { return "[" + strconv.Itoa(i) + "]" }

// enter opens one more container; false (nothing recorded yet) beyond MaxDepth.
func (e *Encoder) enter() bool {
	if e.depth >= MaxDepth {
		return false
	}
	e.depth++
	return true
}

func (e *Encoder) leave() { e.depth-- }

// tooDeep records that v would be the container beyond MaxDepth.
func (e *Encoder) tooDeep(v any) {
	t := typeName(v)
	msg := "nesting deeper than " + strconv.Itoa(MaxDepth) + " arrays/maps, which decoders refuse"
	if t != "" {
		msg += " (" + t + ")"
	}
	e.failType(msg, t)
}

func (e *Encoder) put1(b byte) { e.buf = append(e.buf, b) }

func (e *Encoder) put2(m byte, v uint16) { e.buf = append(e.buf, m, byte(v>>8), byte(v)) }

func (e *Encoder) put4(m byte, v uint32) { e.buf = appendBE32(append(e.buf, m), v) }

func (e *Encoder) put8(m byte, v uint64) { e.buf = appendBE64(append(e.buf, m), v) }

func appendBE32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendBE64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// WriteRaw appends bytes that already are one encoded MessagePack value (not checked).
func (e *Encoder) WriteRaw(b []byte) { e.buf = append(e.buf, b...) }

// WriteNil writes nil (c0): unit, None, a nil pointer.
func (e *Encoder) WriteNil() { e.put1(0xc0) }

// WriteBool writes true (c3) or false (c2).
func (e *Encoder) WriteBool(v bool) {
	if v {
		e.put1(0xc3)
	} else {
		e.put1(0xc2)
	}
}

// WriteUint writes an unsigned integer in its smallest form.
func (e *Encoder) WriteUint(v uint64) {
	switch {
	case v <= 0x7f:
		e.put1(byte(v))
	case v <= math.MaxUint8:
		e.buf = append(e.buf, 0xcc, byte(v))
	case v <= math.MaxUint16:
		e.put2(0xcd, uint16(v))
	case v <= math.MaxUint32:
		e.put4(0xce, uint32(v))
	default:
		e.put8(0xcf, v)
	}
}

// WriteInt writes a signed integer in its smallest form; non-negative values use the unsigned
// forms (as the Rust encoder does).
func (e *Encoder) WriteInt(v int64) {
	switch {
	case v >= 0:
		e.WriteUint(uint64(v))
	case v >= -32:
		e.put1(byte(v))
	case v >= math.MinInt8:
		e.buf = append(e.buf, 0xd0, byte(v))
	case v >= math.MinInt16:
		e.put2(0xd1, uint16(v))
	case v >= math.MinInt32:
		e.put4(0xd2, uint32(v))
	default:
		e.put8(0xd3, uint64(v))
	}
}

// WriteFloat32 writes a float 32 (ca): the width follows the type, never the value.
func (e *Encoder) WriteFloat32(v float32) { e.put4(0xca, math.Float32bits(v)) }

// WriteFloat64 writes a float 64 (cb).
func (e *Encoder) WriteFloat64(v float64) { e.put8(0xcb, math.Float64bits(v)) }

// WriteStringHeader writes the header of a str of n bytes; the caller appends the bytes, which
// must be UTF-8.
func (e *Encoder) WriteStringHeader(n int) {
	switch {
	case n < 0:
		e.fail("negative string length")
	case n < 32:
		e.put1(0xa0 | byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xd9, byte(n))
	case n <= math.MaxUint16:
		e.put2(0xda, uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.put4(0xdb, uint32(n))
	default:
		e.fail("string longer than 4 GiB")
	}
}

// WriteString writes a str; the length is in bytes. A string that is not valid UTF-8 is an error
// (every wabi decoder refuses such a str; send bytes with [Encoder.WriteBytes]) and writes
// nothing.
func (e *Encoder) WriteString(s string) {
	if !utf8.ValidString(s) {
		e.failType("string is not valid UTF-8: "+quoteStart(s), "string")
		return
	}
	e.WriteStringHeader(len(s))
	e.buf = append(e.buf, s...)
}

// quoteStart quotes s, or its first 40 bytes and "...".
func quoteStart(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "..."
	}
	return strconv.Quote(s)
}

// WriteBinHeader writes the header of a bin of n bytes; the caller appends the bytes.
func (e *Encoder) WriteBinHeader(n int) {
	switch {
	case n < 0:
		e.fail("negative bin length")
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xc4, byte(n))
	case n <= math.MaxUint16:
		e.put2(0xc5, uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.put4(0xc6, uint32(n))
	default:
		e.fail("byte string longer than 4 GiB")
	}
}

// WriteBytes writes a byte string the way the Rust encoder writes a Vec<u8>: bin, except that
// an empty (or nil) slice is an empty array (90). Every wabi decoder accepts both forms.
func (e *Encoder) WriteBytes(b []byte) {
	if len(b) == 0 {
		e.put1(0x90)
		return
	}
	e.WriteBin(b)
}

// WriteBin writes a bin, also when b is empty (c4 00). Dynamic values ([Encoder.WriteAny]) use
// this form so that a decoded bin re-encodes to the same bytes.
func (e *Encoder) WriteBin(b []byte) {
	e.WriteBinHeader(len(b))
	e.buf = append(e.buf, b...)
}

// WriteArrayHeader writes the header of an array of n elements; the caller writes n values.
func (e *Encoder) WriteArrayHeader(n int) {
	switch {
	case n < 0:
		e.fail("negative array length")
	case n < 16:
		e.put1(0x90 | byte(n))
	case n <= math.MaxUint16:
		e.put2(0xdc, uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.put4(0xdd, uint32(n))
	default:
		e.fail("array longer than 2^32-1 elements")
	}
}

// WriteMapHeader writes the header of a map of n entries; the caller writes n keys and values,
// alternating.
func (e *Encoder) WriteMapHeader(n int) {
	switch {
	case n < 0:
		e.fail("negative map length")
	case n < 16:
		e.put1(0x80 | byte(n))
	case n <= math.MaxUint16:
		e.put2(0xde, uint16(n))
	case uint64(n) <= math.MaxUint32:
		e.put4(0xdf, uint32(n))
	default:
		e.fail("map longer than 2^32-1 entries")
	}
}

// WriteExt writes an extension value of type typ (fixext when data has 1, 2, 4, 8 or 16 bytes).
func (e *Encoder) WriteExt(typ int8, data []byte) {
	n := len(data)
	switch {
	case n == 1:
		e.buf = append(e.buf, 0xd4, byte(typ))
	case n == 2:
		e.buf = append(e.buf, 0xd5, byte(typ))
	case n == 4:
		e.buf = append(e.buf, 0xd6, byte(typ))
	case n == 8:
		e.buf = append(e.buf, 0xd7, byte(typ))
	case n == 16:
		e.buf = append(e.buf, 0xd8, byte(typ))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, 0xc7, byte(n), byte(typ))
	case n <= math.MaxUint16:
		e.put2(0xc8, uint16(n))
		e.put1(byte(typ))
	case uint64(n) <= math.MaxUint32:
		e.put4(0xc9, uint32(n))
		e.put1(byte(typ))
	default:
		e.fail("extension longer than 4 GiB")
		return
	}
	e.buf = append(e.buf, data...)
}

// WriteTimestamp writes the MessagePack timestamp extension (type -1) in its smallest form:
// 32-bit seconds, 34-bit seconds + 30-bit nanoseconds, or 96-bit.
func (e *Encoder) WriteTimestamp(t Timestamp) {
	if t.Nsec >= 1e9 {
		e.fail("timestamp nanoseconds out of range")
		return
	}
	switch {
	case t.Sec >= 0 && t.Sec <= math.MaxUint32 && t.Nsec == 0:
		e.buf = appendBE32(append(e.buf, 0xd6, 0xff), uint32(t.Sec))
	case t.Sec >= 0 && t.Sec < 1<<34:
		e.buf = appendBE64(append(e.buf, 0xd7, 0xff), uint64(t.Nsec)<<34|uint64(t.Sec))
	default:
		e.buf = appendBE64(appendBE32(append(e.buf, 0xc7, 12, 0xff), t.Nsec), uint64(t.Sec))
	}
}

// WriteTime writes t as a MessagePack timestamp (its instant; the location is not encoded).
func (e *Encoder) WriteTime(t time.Time) { e.WriteTimestamp(TimestampOf(t)) }

// Write calls m.MarshalMsg(e); a nil m writes nil.
func (e *Encoder) Write(m Marshaler) {
	if m == nil {
		e.WriteNil()
		return
	}
	m.MarshalMsg(e)
}

// ---- chainable helpers for structs and enums ----

// Map writes a map header of n entries and returns e, to chain field helpers:
// e.Map(2).Str("name", n).Uint32("age", a).
func (e *Encoder) Map(n int) *Encoder { e.WriteMapHeader(n); return e }

// Array writes an array header of n elements and returns e.
func (e *Encoder) Array(n int) *Encoder { e.WriteArrayHeader(n); return e }

// Key writes a map key (a str) and returns e; write the value next. (An error in that value is
// reported without the key in its path: the field helpers below, [Encoder.Any] and
// [Encoder.Value] add it.)
func (e *Encoder) Key(k string) *Encoder { e.WriteString(k); return e }

// Nil writes the entry k: nil.
func (e *Encoder) Nil(k string) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteNil()
	e.field(before, k)
	return e
}

// Bool writes the entry k: v.
func (e *Encoder) Bool(k string, v bool) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteBool(v)
	e.field(before, k)
	return e
}

// Int writes the entry k: v.
func (e *Encoder) Int(k string, v int) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteInt(int64(v))
	e.field(before, k)
	return e
}

// Int8 writes the entry k: v.
func (e *Encoder) Int8(k string, v int8) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteInt(int64(v))
	e.field(before, k)
	return e
}

// Int16 writes the entry k: v.
func (e *Encoder) Int16(k string, v int16) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteInt(int64(v))
	e.field(before, k)
	return e
}

// Int32 writes the entry k: v.
func (e *Encoder) Int32(k string, v int32) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteInt(int64(v))
	e.field(before, k)
	return e
}

// Int64 writes the entry k: v.
func (e *Encoder) Int64(k string, v int64) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteInt(v)
	e.field(before, k)
	return e
}

// Uint writes the entry k: v.
func (e *Encoder) Uint(k string, v uint) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteUint(uint64(v))
	e.field(before, k)
	return e
}

// Uint8 writes the entry k: v.
func (e *Encoder) Uint8(k string, v uint8) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteUint(uint64(v))
	e.field(before, k)
	return e
}

// Uint16 writes the entry k: v.
func (e *Encoder) Uint16(k string, v uint16) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteUint(uint64(v))
	e.field(before, k)
	return e
}

// Uint32 writes the entry k: v.
func (e *Encoder) Uint32(k string, v uint32) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteUint(uint64(v))
	e.field(before, k)
	return e
}

// Uint64 writes the entry k: v.
func (e *Encoder) Uint64(k string, v uint64) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteUint(v)
	e.field(before, k)
	return e
}

// Float32 writes the entry k: v as a float 32.
func (e *Encoder) Float32(k string, v float32) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteFloat32(v)
	e.field(before, k)
	return e
}

// Float64 writes the entry k: v as a float 64.
func (e *Encoder) Float64(k string, v float64) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteFloat64(v)
	e.field(before, k)
	return e
}

// Str writes the entry k: v.
func (e *Encoder) Str(k, v string) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteString(v)
	e.field(before, k)
	return e
}

// OptStr writes the entry k: *v, or k: nil when v is nil (Rust Option<String>).
func (e *Encoder) OptStr(k string, v *string) *Encoder {
	before := e.err
	e.WriteString(k)
	if v == nil {
		e.WriteNil()
	} else {
		e.WriteString(*v)
	}
	e.field(before, k)
	return e
}

// Bin writes the entry k: v as a byte string ([Encoder.WriteBytes]).
func (e *Encoder) Bin(k string, v []byte) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteBytes(v)
	e.field(before, k)
	return e
}

// Time writes the entry k: v as a timestamp.
func (e *Encoder) Time(k string, v time.Time) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteTime(v)
	e.field(before, k)
	return e
}

// Any writes the entry k: v with [Encoder.WriteAny].
func (e *Encoder) Any(k string, v any) *Encoder {
	before := e.err
	e.WriteString(k)
	e.WriteAny(v)
	e.field(before, k)
	return e
}

// Value writes the entry k: v with v's MarshalMsg (nil writes nil).
func (e *Encoder) Value(k string, v Marshaler) *Encoder {
	before := e.err
	e.WriteString(k)
	e.Write(v)
	e.field(before, k)
	return e
}

// UnitVariant writes a Rust unit enum variant: its name as a str.
func (e *Encoder) UnitVariant(name string) { e.WriteString(name) }

// Variant starts a Rust newtype, tuple or struct enum variant: a 1-entry map whose key is the
// variant's name. Write the variant's value next (a value, an array of the fields, or a map of
// the fields by name).
func (e *Encoder) Variant(name string) *Encoder {
	e.put1(0x81)
	e.WriteString(name)
	return e
}
