package wabi

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// MaxDepth is the deepest nesting of arrays and maps a [Decoder] accepts (ABI section 8): a value
// nested in 128 containers decodes, one nested in 129 is an error (never a stack overflow).
const MaxDepth = 128

// Unmarshaler is implemented by types that read themselves from one MessagePack value. Implement
// it on the pointer:
//
//	func (p *Person) UnmarshalMsg(d *wabi.Decoder) (err error) {
//		return d.ReadFields(func(key string) error {
//			switch key {
//			case "name":
//				p.Name, err = d.ReadString()
//			case "age":
//				p.Age, err = d.ReadUint32()
//			}
//			return err // unknown keys are skipped
//		})
//	}
type Unmarshaler interface {
	UnmarshalMsg(d *Decoder) error
}

// Kind is the type class of a MessagePack value.
type Kind uint8

// The kinds of MessagePack values. KindInvalid stands for the reserved marker c1 and for the end
// of the input.
const (
	KindInvalid Kind = iota
	KindNil
	KindBool
	KindInt
	KindFloat
	KindStr
	KindBin
	KindArray
	KindMap
	KindExt
)

var kindNames = [...]string{"invalid marker", "nil", "bool", "int", "float", "str", "bin",
	"array", "map", "ext"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind " + strconv.Itoa(int(k))
}

func kindOf(b byte) Kind {
	switch {
	case b <= 0x7f || b >= 0xe0:
		return KindInt
	case b <= 0x8f:
		return KindMap
	case b <= 0x9f:
		return KindArray
	case b <= 0xbf:
		return KindStr
	}
	switch b {
	case 0xc0:
		return KindNil
	case 0xc2, 0xc3:
		return KindBool
	case 0xc4, 0xc5, 0xc6:
		return KindBin
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return KindExt
	case 0xca, 0xcb:
		return KindFloat
	case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		return KindInt
	case 0xd9, 0xda, 0xdb:
		return KindStr
	case 0xdc, 0xdd:
		return KindArray
	case 0xde, 0xdf:
		return KindMap
	}
	return KindInvalid // 0xc1
}

// DecodeError describes why a [Decoder] failed: where (Offset, the byte offset in the input, and
// Path, the field, element or argument being decoded) and what (Msg).
type DecodeError struct {
	Offset int
	Path   string
	Msg    string
	Err    error // the error a callback returned, if any

	path pathPrefix
}

func (e *DecodeError) Error() string {
	s := e.Msg + " (at byte " + strconv.Itoa(e.Offset) + ")"
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	return s
}

// Unwrap returns the error a callback returned, if any.
func (e *DecodeError) Unwrap() error { return e.Err }

// wrapErr prefixes a path segment to err, converting it to a *DecodeError when needed.
func wrapErr(err error, segment string, offset int) error {
	if de, ok := err.(*DecodeError); ok {
		if de.Path != "" {
			de.Path = de.path.prepend(": ", de.Path)
		}
		de.Path = de.path.prepend(segment, de.Path)
		return de
	}
	return &DecodeError{Offset: offset, Path: segment, Msg: err.Error(), Err: err}
}

// Decoder reads MessagePack values from a byte slice. Every length is checked against the bytes
// present before anything is allocated, and nesting is limited to [MaxDepth].
//
// What a decode allocates is bounded by its input, not by the lengths the input claims: the
// slices and maps being decoded pre-allocate together at most 4 bytes of memory per byte of input
// left for elements not decoded yet (an array that claims n elements has at least n bytes left,
// one per element, but the arrays nested in it claim the same bytes again); beyond that, slices
// grow by doubling as their elements actually decode, and maps grow as Go maps do.
//
// Strings and byte slices are copied out of the input, so they stay valid after the call that
// decoded them (the input of an export lives in a buffer the next call overwrites).
type Decoder struct {
	buf      []byte
	pos      int
	depth    int
	reserved int // bytes pre-allocated for elements not decoded yet, by the containers open
}

// preallocPerByte is how many bytes of memory the containers a Decoder is decoding may
// pre-allocate, together, for their elements not decoded yet, per byte of input left.
const preallocPerByte = 4

// reservation is the part of a container's pre-allocation whose elements are not decoded yet.
type reservation struct {
	left int // elements
	size int // bytes per element
}

// reserve decides how many of the n elements of a container (each taking size bytes of memory)
// to allocate before decoding them, and counts them as reserved.
func (d *Decoder) reserve(n int, size uintptr) reservation {
	if size == 0 {
		return reservation{left: n}
	}
	left := len(d.buf) - d.pos
	if left > math.MaxInt/preallocPerByte {
		left = math.MaxInt / preallocPerByte
	}
	budget := left*preallocPerByte - d.reserved
	r := reservation{size: int(size)}
	if budget >= r.size && n > 0 {
		r.left = budget / r.size
		if r.left > n {
			r.left = n
		}
		d.reserved += r.left * r.size
	}
	return r
}

// use counts one more element of r as decoding (its memory is no longer speculative).
func (d *Decoder) use(r *reservation) {
	if r.left > 0 {
		r.left--
		d.reserved -= r.size
	}
}

// leaveReserved leaves a container: one level of nesting less, and what it had reserved and not
// used is free again.
func (d *Decoder) leaveReserved(r *reservation) {
	d.depth--
	d.reserved -= r.left * r.size
	r.left = 0
}

// mapEntrySize estimates the memory of one entry of a Go map with keys and values of these sizes
// (slots are at most about half full after growth, and carry a control byte).
func mapEntrySize(key, value uintptr) uintptr { return 2 * (key + value + 1) }

// NewDecoder returns a decoder reading b from its start.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Reset makes the decoder read b from its start.
func (d *Decoder) Reset(b []byte) {
	d.buf = b
	d.pos = 0
	d.depth = 0
	d.reserved = 0
}

// Offset returns the number of bytes consumed so far.
func (d *Decoder) Offset() int { return d.pos }

// Remaining returns the number of bytes not yet consumed.
func (d *Decoder) Remaining() int { return len(d.buf) - d.pos }

// End returns an error if bytes remain after the values read so far.
func (d *Decoder) End() error {
	if d.pos != len(d.buf) {
		return d.errf(strconv.Itoa(len(d.buf)-d.pos) + " unexpected trailing bytes")
	}
	return nil
}

func (d *Decoder) errf(msg string) error { return &DecodeError{Offset: d.pos, Msg: msg} }

func (d *Decoder) eof() error { return d.errf("unexpected end of input") }

func (d *Decoder) typeErr(want string, b byte) error {
	return d.errf("expected " + want + ", found " + kindOf(b).String())
}

func (d *Decoder) peek() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, d.eof()
	}
	return d.buf[d.pos], nil
}

// PeekKind returns the kind of the next value without consuming it (KindInvalid at the end).
func (d *Decoder) PeekKind() Kind {
	if d.pos >= len(d.buf) {
		return KindInvalid
	}
	return kindOf(d.buf[d.pos])
}

// IsNil reports whether the next value is nil, without consuming it.
func (d *Decoder) IsNil() bool { return d.pos < len(d.buf) && d.buf[d.pos] == 0xc0 }

// TryNil consumes the next value and returns true if it is nil; otherwise it consumes nothing.
func (d *Decoder) TryNil() bool {
	if d.IsNil() {
		d.pos++
		return true
	}
	return false
}

// ReadNil reads a nil.
func (d *Decoder) ReadNil() error {
	b, err := d.peek()
	if err != nil {
		return err
	}
	if b != 0xc0 {
		return d.typeErr("nil", b)
	}
	d.pos++
	return nil
}

// take returns the next n bytes (a view of the input) after checking they are present.
func (d *Decoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.buf)-d.pos) {
		return nil, d.errf("length " + strconv.FormatUint(n, 10) + " exceeds the " +
			strconv.Itoa(len(d.buf)-d.pos) + " bytes left")
	}
	b := d.buf[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

// uintN reads an n-byte big-endian unsigned integer that follows a marker at d.pos (the marker is
// consumed only on success).
func (d *Decoder) uintN(n int) (uint64, error) {
	if d.pos+1+n > len(d.buf) {
		return 0, d.eof()
	}
	var v uint64
	for _, c := range d.buf[d.pos+1 : d.pos+1+n] {
		v = v<<8 | uint64(c)
	}
	d.pos += 1 + n
	return v, nil
}

// readInteger reads any integer; neg reports a negative value, whose two's complement v holds.
func (d *Decoder) readInteger() (v uint64, neg bool, err error) {
	b, err := d.peek()
	if err != nil {
		return 0, false, err
	}
	switch {
	case b <= 0x7f:
		d.pos++
		return uint64(b), false, nil
	case b >= 0xe0:
		d.pos++
		return uint64(int64(int8(b))), true, nil
	}
	switch b {
	case 0xcc:
		v, err = d.uintN(1)
	case 0xcd:
		v, err = d.uintN(2)
	case 0xce:
		v, err = d.uintN(4)
	case 0xcf:
		v, err = d.uintN(8)
	case 0xd0:
		v, err = d.uintN(1)
		v = uint64(int64(int8(v)))
	case 0xd1:
		v, err = d.uintN(2)
		v = uint64(int64(int16(v)))
	case 0xd2:
		v, err = d.uintN(4)
		v = uint64(int64(int32(v)))
	case 0xd3:
		v, err = d.uintN(8)
	default:
		return 0, false, d.typeErr("int", b)
	}
	if err != nil {
		return 0, false, err
	}
	return v, b >= 0xd0 && int64(v) < 0, nil
}

func (d *Decoder) readSigned(lo, hi int64, name string) (int64, error) {
	start := d.pos
	v, neg, err := d.readInteger()
	if err != nil {
		return 0, err
	}
	if (!neg && v > uint64(hi)) || (neg && int64(v) < lo) {
		d.pos = start
		s := strconv.FormatUint(v, 10)
		if neg {
			s = strconv.FormatInt(int64(v), 10)
		}
		return 0, d.errf("integer " + s + " does not fit " + name)
	}
	return int64(v), nil
}

func (d *Decoder) readUnsigned(hi uint64, name string) (uint64, error) {
	start := d.pos
	v, neg, err := d.readInteger()
	if err != nil {
		return 0, err
	}
	if neg || v > hi {
		d.pos = start
		s := strconv.FormatUint(v, 10)
		if neg {
			s = strconv.FormatInt(int64(v), 10)
		}
		return 0, d.errf("integer " + s + " does not fit " + name)
	}
	return v, nil
}

// ReadInt64 reads an integer that fits an int64.
func (d *Decoder) ReadInt64() (int64, error) {
	return d.readSigned(math.MinInt64, math.MaxInt64, "int64")
}

// ReadInt32 reads an integer that fits an int32.
func (d *Decoder) ReadInt32() (int32, error) {
	v, err := d.readSigned(math.MinInt32, math.MaxInt32, "int32")
	return int32(v), err
}

// ReadInt16 reads an integer that fits an int16.
func (d *Decoder) ReadInt16() (int16, error) {
	v, err := d.readSigned(math.MinInt16, math.MaxInt16, "int16")
	return int16(v), err
}

// ReadInt8 reads an integer that fits an int8.
func (d *Decoder) ReadInt8() (int8, error) {
	v, err := d.readSigned(math.MinInt8, math.MaxInt8, "int8")
	return int8(v), err
}

// ReadInt reads an integer that fits an int (32 or 64 bits depending on the target).
func (d *Decoder) ReadInt() (int, error) {
	v, err := d.readSigned(math.MinInt, math.MaxInt, "int")
	return int(v), err
}

// ReadUint64 reads a non-negative integer.
func (d *Decoder) ReadUint64() (uint64, error) { return d.readUnsigned(math.MaxUint64, "uint64") }

// ReadUint32 reads an integer that fits a uint32.
func (d *Decoder) ReadUint32() (uint32, error) {
	v, err := d.readUnsigned(math.MaxUint32, "uint32")
	return uint32(v), err
}

// ReadUint16 reads an integer that fits a uint16.
func (d *Decoder) ReadUint16() (uint16, error) {
	v, err := d.readUnsigned(math.MaxUint16, "uint16")
	return uint16(v), err
}

// ReadUint8 reads an integer that fits a uint8.
func (d *Decoder) ReadUint8() (uint8, error) {
	v, err := d.readUnsigned(math.MaxUint8, "uint8")
	return uint8(v), err
}

// ReadUint reads an integer that fits a uint.
func (d *Decoder) ReadUint() (uint, error) {
	v, err := d.readUnsigned(math.MaxUint, "uint")
	return uint(v), err
}

// ReadFloat64 reads a float 64, a float 32 (widened) or an integer (converted), as Rust's serde
// does for an f64.
func (d *Decoder) ReadFloat64() (float64, error) {
	b, err := d.peek()
	if err != nil {
		return 0, err
	}
	switch b {
	case 0xca:
		v, err := d.uintN(4)
		return float64(math.Float32frombits(uint32(v))), err
	case 0xcb:
		v, err := d.uintN(8)
		return math.Float64frombits(v), err
	}
	if kindOf(b) == KindInt {
		v, neg, err := d.readInteger()
		if neg {
			return float64(int64(v)), err
		}
		return float64(v), err
	}
	return 0, d.typeErr("float", b)
}

// ReadFloat32 reads a float 32, a float 64 (narrowed) or an integer (converted).
func (d *Decoder) ReadFloat32() (float32, error) {
	b, err := d.peek()
	if err != nil {
		return 0, err
	}
	if b == 0xca {
		v, err := d.uintN(4)
		return math.Float32frombits(uint32(v)), err
	}
	v, err := d.ReadFloat64()
	return float32(v), err
}

// ReadBool reads a bool.
func (d *Decoder) ReadBool() (bool, error) {
	b, err := d.peek()
	if err != nil {
		return false, err
	}
	switch b {
	case 0xc2:
		d.pos++
		return false, nil
	case 0xc3:
		d.pos++
		return true, nil
	}
	return false, d.typeErr("bool", b)
}

// strLen reads a str header and returns the length, or ok == false when the next value is not a
// str.
func (d *Decoder) strLen(b byte) (n uint64, ok bool, err error) {
	switch {
	case b >= 0xa0 && b <= 0xbf:
		d.pos++
		return uint64(b & 0x1f), true, nil
	case b == 0xd9:
		n, err = d.uintN(1)
	case b == 0xda:
		n, err = d.uintN(2)
	case b == 0xdb:
		n, err = d.uintN(4)
	default:
		return 0, false, nil
	}
	return n, true, err
}

func (d *Decoder) binLen(b byte) (n uint64, ok bool, err error) {
	switch b {
	case 0xc4:
		n, err = d.uintN(1)
	case 0xc5:
		n, err = d.uintN(2)
	case 0xc6:
		n, err = d.uintN(4)
	default:
		return 0, false, nil
	}
	return n, true, err
}

// readStrView returns the bytes of a str (or of a bin, which Rust also accepts for a String),
// checked to be UTF-8, as a view of the input.
func (d *Decoder) readStrView() ([]byte, error) {
	b, err := d.peek()
	if err != nil {
		return nil, err
	}
	start := d.pos
	n, ok, err := d.strLen(b)
	if !ok {
		n, ok, err = d.binLen(b)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, d.typeErr("str", b)
	}
	s, err := d.take(n)
	if err != nil {
		d.pos = start
		return nil, err
	}
	if !utf8.Valid(s) {
		d.pos = start
		return nil, d.errf("string is not valid UTF-8")
	}
	return s, nil
}

// ReadString reads a str (a bin holding UTF-8 is accepted too). Invalid UTF-8 is an error.
func (d *Decoder) ReadString() (string, error) {
	s, err := d.readStrView()
	if err != nil {
		return "", err
	}
	return string(s), nil
}

// readKey reads a str map key as a string that aliases the input (no allocation).
func (d *Decoder) readKey() (string, error) {
	s, err := d.readStrView()
	if err != nil || len(s) == 0 {
		return "", err
	}
	return unsafe.String(&s[0], len(s)), nil
}

// ReadOptString reads nil (returning nil) or a str.
func (d *Decoder) ReadOptString() (*string, error) {
	if d.TryNil() {
		return nil, nil
	}
	s, err := d.ReadString()
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// ReadBytes reads a byte string: a bin, or an array of integers 0-255 (the Rust encoder writes an
// empty Vec<u8> as an empty array). nil gives a nil slice; anything else a non-nil one.
func (d *Decoder) ReadBytes() ([]byte, error) {
	b, err := d.peek()
	if err != nil {
		return nil, err
	}
	if b == 0xc0 {
		d.pos++
		return nil, nil
	}
	start := d.pos
	if n, ok, err := d.binLen(b); ok || err != nil {
		if err != nil {
			return nil, err
		}
		v, err := d.take(n)
		if err != nil {
			d.pos = start
			return nil, err
		}
		return append(make([]byte, 0, len(v)), v...), nil
	}
	if kindOf(b) != KindArray {
		return nil, d.typeErr("bin", b)
	}
	n, err := d.ReadArrayHeader()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, n) // n <= remaining bytes, checked by ReadArrayHeader
	for i := 0; i < n; i++ {
		v, err := d.ReadUint8()
		if err != nil {
			return nil, wrapErr(err, "byte "+strconv.Itoa(i), d.pos)
		}
		out = append(out, v)
	}
	return out, nil
}

// ReadArrayHeader reads an array header and returns the number of elements, which is checked to
// be at most the number of bytes left (every element takes at least one byte).
func (d *Decoder) ReadArrayHeader() (int, error) {
	b, err := d.peek()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case b >= 0x90 && b <= 0x9f:
		d.pos++
		n = uint64(b & 0x0f)
	case b == 0xdc:
		n, err = d.uintN(2)
	case b == 0xdd:
		n, err = d.uintN(4)
	default:
		return 0, d.typeErr("array", b)
	}
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.buf)-d.pos) {
		return 0, d.errf("array of " + strconv.FormatUint(n, 10) + " elements but only " +
			strconv.Itoa(len(d.buf)-d.pos) + " bytes left")
	}
	return int(n), nil
}

// ReadMapHeader reads a map header and returns the number of entries, which is checked against
// the bytes left (every entry takes at least two bytes).
func (d *Decoder) ReadMapHeader() (int, error) {
	b, err := d.peek()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case b >= 0x80 && b <= 0x8f:
		d.pos++
		n = uint64(b & 0x0f)
	case b == 0xde:
		n, err = d.uintN(2)
	case b == 0xdf:
		n, err = d.uintN(4)
	default:
		return 0, d.typeErr("map", b)
	}
	if err != nil {
		return 0, err
	}
	if 2*n > uint64(len(d.buf)-d.pos) {
		return 0, d.errf("map of " + strconv.FormatUint(n, 10) + " entries but only " +
			strconv.Itoa(len(d.buf)-d.pos) + " bytes left")
	}
	return int(n), nil
}

// extHeader reads the header of an ext value: its type and data length.
func (d *Decoder) extHeader(b byte) (typ int8, n uint64, err error) {
	switch b {
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		var t uint64
		t, err = d.uintN(1)
		return int8(t), 1 << (b - 0xd4), err
	case 0xc7, 0xc8, 0xc9:
		w := 1 << (b - 0xc7) // 1, 2 or 4 bytes of length
		if d.pos+1+w+1 > len(d.buf) {
			return 0, 0, d.eof()
		}
		n, _ = d.uintN(w)
		typ = int8(d.buf[d.pos])
		d.pos++
		return typ, n, nil
	}
	return 0, 0, d.typeErr("ext", b)
}

// readExtView reads an ext value and returns its type and a view of its data.
func (d *Decoder) readExtView() (int8, []byte, error) {
	b, err := d.peek()
	if err != nil {
		return 0, nil, err
	}
	start := d.pos
	typ, n, err := d.extHeader(b)
	if err != nil {
		return 0, nil, err
	}
	data, err := d.take(n)
	if err != nil {
		d.pos = start
		return 0, nil, err
	}
	return typ, data, nil
}

// ReadExt reads an extension value: its type and a copy of its data.
func (d *Decoder) ReadExt() (int8, []byte, error) {
	typ, data, err := d.readExtView()
	if err != nil {
		return 0, nil, err
	}
	return typ, append([]byte{}, data...), nil
}

// ReadTimestamp reads the timestamp extension (type -1) in any of its three sizes.
func (d *Decoder) ReadTimestamp() (Timestamp, error) {
	start := d.pos
	typ, data, err := d.readExtView()
	if err != nil {
		return Timestamp{}, err
	}
	if typ != -1 {
		d.pos = start
		return Timestamp{}, d.errf("expected the timestamp extension (-1), found extension " +
			strconv.Itoa(int(typ)))
	}
	t, ok := parseTimestamp(data)
	if !ok {
		d.pos = start
		return Timestamp{}, d.errf("malformed timestamp of " + strconv.Itoa(len(data)) + " bytes")
	}
	return t, nil
}

// ReadTime reads the timestamp extension as a time.Time in UTC.
func (d *Decoder) ReadTime() (time.Time, error) {
	t, err := d.ReadTimestamp()
	if err != nil {
		return time.Time{}, err
	}
	return t.Time(), nil
}

func parseTimestamp(b []byte) (Timestamp, bool) {
	be := func(b []byte) uint64 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	var t Timestamp
	switch len(b) {
	case 4:
		t.Sec = int64(be(b))
	case 8:
		v := be(b)
		t.Nsec = uint32(v >> 34)
		t.Sec = int64(v & (1<<34 - 1))
	case 12:
		t.Nsec = uint32(be(b[:4]))
		t.Sec = int64(be(b[4:]))
	default:
		return t, false
	}
	return t, t.Nsec < 1e9
}

// enter counts one more level of nesting and fails beyond MaxDepth.
func (d *Decoder) enter() error {
	if d.depth >= MaxDepth {
		return d.errf("nesting deeper than " + strconv.Itoa(MaxDepth) + " arrays/maps")
	}
	d.depth++
	return nil
}

func (d *Decoder) leave() { d.depth-- }

// Skip consumes the next value whatever it is, without recursion (nesting is still limited to
// MaxDepth).
func (d *Decoder) Skip() error {
	var stack [MaxDepth + 1]uint64 // values left to skip at each open level
	top := 0
	stack[0] = 1
	for {
		for stack[top] == 0 {
			if top == 0 {
				return nil
			}
			top--
		}
		stack[top]--
		b, err := d.peek()
		if err != nil {
			return err
		}
		var n uint64
		switch kindOf(b) {
		case KindArray:
			c, err := d.ReadArrayHeader()
			if err != nil {
				return err
			}
			n = uint64(c)
		case KindMap:
			c, err := d.ReadMapHeader()
			if err != nil {
				return err
			}
			n = 2 * uint64(c)
		default:
			if err := d.skipScalar(b); err != nil {
				return err
			}
			continue
		}
		if d.depth+top+1 > MaxDepth {
			return d.errf("nesting deeper than " + strconv.Itoa(MaxDepth) + " arrays/maps")
		}
		top++
		stack[top] = n
	}
}

func (d *Decoder) skipScalar(b byte) error {
	start := d.pos
	var n uint64
	var err error
	switch kindOf(b) {
	case KindNil, KindBool:
		d.pos++
		return nil
	case KindInt:
		_, _, err = d.readInteger()
		return err
	case KindFloat:
		_, err = d.ReadFloat64()
		return err
	case KindStr:
		n, _, err = d.strLen(b)
	case KindBin:
		n, _, err = d.binLen(b)
	case KindExt:
		_, n, err = d.extHeader(b)
	default:
		return d.errf("invalid marker 0xc1")
	}
	if err != nil {
		return err
	}
	if _, err := d.take(n); err != nil {
		d.pos = start
		return err
	}
	return nil
}

// ReadRaw returns a copy of the encoding of the next value.
func (d *Decoder) ReadRaw() ([]byte, error) {
	start := d.pos
	if err := d.Skip(); err != nil {
		return nil, err
	}
	return append([]byte{}, d.buf[start:d.pos]...), nil
}

// ReadFields reads a map whose keys are names (a struct), calling field for each entry with the
// key; field reads the value with the decoder. If field returns nil without reading anything the
// value is skipped, so unknown fields need no code; entries whose key is not a str are skipped
// too. Fields absent from the input are never visited: they keep whatever value they had (set
// defaults before calling). A nil instead of a map is an error, as in Rust.
//
// key aliases the input and is valid only during the call to field: compare it, switch on it, or
// copy it with strings.Clone before keeping it.
func (d *Decoder) ReadFields(field func(key string) error) error {
	n, err := d.ReadMapHeader()
	if err != nil {
		return err
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	for i := 0; i < n; i++ {
		if k := d.PeekKind(); k != KindStr && k != KindBin {
			if err := d.Skip(); err != nil { // the key
				return err
			}
			if err := d.Skip(); err != nil { // the value
				return err
			}
			continue
		}
		key, err := d.readKey()
		if err != nil {
			return err
		}
		at := d.pos
		if err := field(key); err != nil {
			return wrapErr(err, `field "`+key+`"`, at)
		}
		if d.pos == at {
			if err := d.Skip(); err != nil {
				return wrapErr(err, `field "`+key+`"`, at)
			}
		}
	}
	return nil
}

// ReadVariant reads the start of a Rust enum value (externally tagged): a str is a unit variant
// (hasValue false); a 1-entry map is any other variant, whose name is the key (hasValue true):
// read the variant's value next (a value, an array of the fields, or a map of the fields).
func (d *Decoder) ReadVariant() (name string, hasValue bool, err error) {
	switch d.PeekKind() {
	case KindStr:
		name, err = d.ReadString()
		return name, false, err
	case KindMap:
		start := d.pos
		n, err := d.ReadMapHeader()
		if err != nil {
			return "", false, err
		}
		if n != 1 {
			d.pos = start
			return "", false, d.errf("expected an enum variant (a str or a 1-entry map), found a map of " +
				strconv.Itoa(n) + " entries")
		}
		name, err = d.ReadString()
		return name, true, err
	}
	b, err := d.peek()
	if err != nil {
		return "", false, err
	}
	return "", false, d.typeErr("an enum variant (str or map)", b)
}
