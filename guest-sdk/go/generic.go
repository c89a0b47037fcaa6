package wabi

import (
	"sort"
	"strconv"
	"time"
	"unsafe"
)

// EncodeSlice writes s as an array, each element with f. A nil slice is an empty array (Rust has
// no nil Vec). It counts as one level of nesting (see [Encoder]) and stops at the first error,
// adding the element's index to the error's path.
//
//	wabi.EncodeSlice(e, p.Tags, (*wabi.Encoder).WriteString)
func EncodeSlice[T any](e *Encoder, s []T, f func(*Encoder, T)) {
	if e.err != nil {
		return
	}
	if !e.enter() {
		e.tooDeep(s)
		return
	}
	e.WriteArrayHeader(len(s))
	for i, v := range s {
		f(e, v)
		if e.err != nil {
			e.inside(indexSegment(i))
			break
		}
	}
	e.leave()
}

// DecodeSlice reads an array, each element with f. nil gives a nil slice.
//
//	p.Tags, err = wabi.DecodeSlice(d, (*wabi.Decoder).ReadString)
func DecodeSlice[T any](d *Decoder, f func(*Decoder) (T, error)) ([]T, error) {
	if d.TryNil() {
		return nil, nil
	}
	n, err := d.ReadArrayHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	var zero T
	r := d.reserve(n, unsafe.Sizeof(zero))
	defer d.leaveReserved(&r)
	out := make([]T, 0, r.left)
	for i := 0; i < n; i++ {
		d.use(&r)
		at := d.pos
		v, err := f(d)
		if err != nil {
			return nil, wrapErr(err, "element "+strconv.Itoa(i), at)
		}
		if len(out) == cap(out) {
			out = grow(out, n)
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeSliceInPlace reads an array of Ts, decoding each element where it is stored (no copy of
// it in an interface).
func decodeSliceInPlace[T any](d *Decoder) ([]T, error) {
	if d.TryNil() {
		return nil, nil
	}
	n, err := d.ReadArrayHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	var zero T
	r := d.reserve(n, unsafe.Sizeof(zero))
	defer d.leaveReserved(&r)
	out := make([]T, 0, r.left)
	for i := 0; i < n; i++ {
		d.use(&r)
		if len(out) == cap(out) {
			out = grow(out, n)
		}
		out = append(out, zero)
		at := d.pos
		if err := d.Decode(&out[i]); err != nil {
			return nil, wrapErr(err, "element "+strconv.Itoa(i), at)
		}
	}
	return out, nil
}

// grow returns s with room for at least one more element: twice its capacity, or all n elements
// the array claims when that is at most half as much again (so that no small last step follows).
// A slice that grows this way allocates at most three times the memory of the elements decoded.
func grow[T any](s []T, n int) []T {
	c := 2 * cap(s)
	if c < 8 {
		c = 8
	}
	if c+c/2 >= n {
		c = n
	}
	t := make([]T, len(s), c)
	copy(t, s)
	return t
}

// EncodeMap writes m as a map with string keys in sorted order (by their bytes: the order of a
// Rust BTreeMap<String, _>, and deterministic), each value with f. A nil map is an empty map. It
// counts as one level of nesting and stops at the first error, adding the key to its path.
func EncodeMap[V any](e *Encoder, m map[string]V, f func(*Encoder, V)) {
	if e.err != nil {
		return
	}
	if !e.enter() {
		e.tooDeep(m)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.WriteMapHeader(len(keys))
	for _, k := range keys {
		e.WriteString(k)
		if e.err == nil {
			f(e, m[k])
		}
		if e.err != nil {
			e.inside("[" + strconv.Quote(k) + "]")
			break
		}
	}
	e.leave()
}

// DecodeMap reads a map with str keys, each value with f. nil gives a nil map. A repeated key
// keeps its last value.
func DecodeMap[V any](d *Decoder, f func(*Decoder) (V, error)) (map[string]V, error) {
	if d.TryNil() {
		return nil, nil
	}
	n, err := d.ReadMapHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	var zero V
	r := d.reserve(n, mapEntrySize(unsafe.Sizeof(""), unsafe.Sizeof(zero)))
	defer d.leaveReserved(&r)
	out := make(map[string]V, r.left)
	for i := 0; i < n; i++ {
		d.use(&r)
		k, err := d.ReadString()
		if err != nil {
			return nil, wrapErr(err, "key "+strconv.Itoa(i), d.pos)
		}
		at := d.pos
		v, err := f(d)
		if err != nil {
			return nil, wrapErr(err, `key "`+k+`"`, at)
		}
		out[k] = v
	}
	return out, nil
}

// EncodeOpt writes nil for a nil p, else *p with f (Rust Option<T>).
func EncodeOpt[T any](e *Encoder, p *T, f func(*Encoder, T)) {
	if p == nil {
		e.WriteNil()
		return
	}
	f(e, *p)
}

// DecodeOpt reads nil as a nil pointer, anything else with f.
func DecodeOpt[T any](d *Decoder, f func(*Decoder) (T, error)) (*T, error) {
	if d.TryNil() {
		return nil, nil
	}
	v, err := f(d)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Encode writes v, whose type is one the SDK supports: a [Marshaler] (with a value or a pointer
// receiver), or one of the types [Encoder.WriteAny] accepts. A value whose static type is []byte
// is written as the Rust encoder writes a Vec<u8> (empty: 90); when T is any, v is a dynamic
// value written by [Encoder.WriteAny] (a []byte in it is always a bin). Unsupported types record
// an error.
func Encode[T any](e *Encoder, v T) {
	if m, ok := any(v).(Marshaler); ok {
		m.MarshalMsg(e)
		return
	}
	if _, dynamic := any((*T)(nil)).(*any); dynamic {
		// T is any itself: a dynamic value ([]byte inside stays a bin).
		e.WriteAny(v)
		return
	}
	if e.writeKnown(any(v), false) {
		return
	}
	if !encodeViaPointer(e, v) {
		e.unsupported(any(v), "")
	}
}

// encodeViaPointer uses a MarshalMsg declared on *T (kept apart so that v only escapes when
// needed).
func encodeViaPointer[T any](e *Encoder, v T) bool {
	if m, ok := any(&v).(Marshaler); ok {
		m.MarshalMsg(e)
		return true
	}
	return false
}

// Decode reads a value of type T: any type with an UnmarshalMsg method on its pointer
// ([Unmarshaler]), or one of the built-in types listed at [Decoder.Decode].
func Decode[T any](d *Decoder) (T, error) {
	var v T
	err := d.Decode(&v)
	return v, err
}

// Decode reads the next value into *p. p is an [Unmarshaler], or a pointer to one of: bool, every
// int and uint type, float32, float64, string, []byte, any, []any, map[string]any, map[any]any,
// time.Time, [Timestamp], struct{} (nil or an empty array), []string, []bool, []int, []int32,
// []int64, []uint, []uint16, []uint32, []uint64, []float32, []float64, [][]byte,
// map[string]string, map[string]bool, map[string]int, map[string]int64, map[string]uint64,
// map[string]float64, and the pointers *string, *bool, *int, *int32, *int64, *uint32, *uint64,
// *float32, *float64 (nil is a nil pointer).
func (d *Decoder) Decode(p any) (err error) {
	switch x := p.(type) {
	case Unmarshaler:
		return x.UnmarshalMsg(d)
	case *bool:
		*x, err = d.ReadBool()
	case *int:
		*x, err = d.ReadInt()
	case *int8:
		*x, err = d.ReadInt8()
	case *int16:
		*x, err = d.ReadInt16()
	case *int32:
		*x, err = d.ReadInt32()
	case *int64:
		*x, err = d.ReadInt64()
	case *uint:
		*x, err = d.ReadUint()
	case *uint8:
		*x, err = d.ReadUint8()
	case *uint16:
		*x, err = d.ReadUint16()
	case *uint32:
		*x, err = d.ReadUint32()
	case *uint64:
		*x, err = d.ReadUint64()
	case *float32:
		*x, err = d.ReadFloat32()
	case *float64:
		*x, err = d.ReadFloat64()
	case *string:
		*x, err = d.ReadString()
	case *[]byte:
		*x, err = d.ReadBytes()
	case *any:
		*x, err = d.ReadAny()
	case *[]any:
		*x, err = DecodeSlice(d, (*Decoder).ReadAny)
	case *map[string]any:
		*x, err = DecodeMap(d, (*Decoder).ReadAny)
	case *map[any]any:
		*x, err = d.readAnyKeyedMap()
	case *time.Time:
		*x, err = d.ReadTime()
	case *struct{}:
		if d.TryNil() {
			return nil
		}
		if d.PeekKind() == KindArray && d.buf[d.pos] == 0x90 {
			d.pos++
			return nil
		}
		b, err := d.peek()
		if err != nil {
			return err
		}
		return d.typeErr("nil (unit)", b)

	case *[]string:
		*x, err = DecodeSlice(d, (*Decoder).ReadString)
	case *[]bool:
		*x, err = DecodeSlice(d, (*Decoder).ReadBool)
	case *[]int:
		*x, err = DecodeSlice(d, (*Decoder).ReadInt)
	case *[]int32:
		*x, err = DecodeSlice(d, (*Decoder).ReadInt32)
	case *[]int64:
		*x, err = DecodeSlice(d, (*Decoder).ReadInt64)
	case *[]uint:
		*x, err = DecodeSlice(d, (*Decoder).ReadUint)
	case *[]uint16:
		*x, err = DecodeSlice(d, (*Decoder).ReadUint16)
	case *[]uint32:
		*x, err = DecodeSlice(d, (*Decoder).ReadUint32)
	case *[]uint64:
		*x, err = DecodeSlice(d, (*Decoder).ReadUint64)
	case *[]float32:
		*x, err = DecodeSlice(d, (*Decoder).ReadFloat32)
	case *[]float64:
		*x, err = DecodeSlice(d, (*Decoder).ReadFloat64)
	case *[][]byte:
		*x, err = DecodeSlice(d, (*Decoder).ReadBytes)
	case *map[string]string:
		*x, err = DecodeMap(d, (*Decoder).ReadString)
	case *map[string]bool:
		*x, err = DecodeMap(d, (*Decoder).ReadBool)
	case *map[string]int:
		*x, err = DecodeMap(d, (*Decoder).ReadInt)
	case *map[string]int64:
		*x, err = DecodeMap(d, (*Decoder).ReadInt64)
	case *map[string]uint64:
		*x, err = DecodeMap(d, (*Decoder).ReadUint64)
	case *map[string]float64:
		*x, err = DecodeMap(d, (*Decoder).ReadFloat64)

	case **string:
		*x, err = DecodeOpt(d, (*Decoder).ReadString)
	case **bool:
		*x, err = DecodeOpt(d, (*Decoder).ReadBool)
	case **int:
		*x, err = DecodeOpt(d, (*Decoder).ReadInt)
	case **int32:
		*x, err = DecodeOpt(d, (*Decoder).ReadInt32)
	case **int64:
		*x, err = DecodeOpt(d, (*Decoder).ReadInt64)
	case **uint32:
		*x, err = DecodeOpt(d, (*Decoder).ReadUint32)
	case **uint64:
		*x, err = DecodeOpt(d, (*Decoder).ReadUint64)
	case **float32:
		*x, err = DecodeOpt(d, (*Decoder).ReadFloat32)
	case **float64:
		*x, err = DecodeOpt(d, (*Decoder).ReadFloat64)
	default:
		return d.errf("unsupported Go type (implement wabi.Unmarshaler on its pointer)")
	}
	return err
}

// readAnyKeyedMap reads a map into a map[any]any whatever its keys.
func (d *Decoder) readAnyKeyedMap() (map[any]any, error) {
	if d.TryNil() {
		return nil, nil
	}
	if d.PeekKind() != KindMap {
		b, err := d.peek()
		if err != nil {
			return nil, err
		}
		return nil, d.typeErr("map", b)
	}
	v, err := d.readAnyMap()
	if err != nil {
		return nil, err
	}
	switch m := v.(type) {
	case map[any]any:
		return m, nil
	case map[string]any:
		out := make(map[any]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out, nil
	}
	return nil, nil
}

// Marshal encodes v (see [Encode]) into a new byte slice.
func Marshal[T any](v T) ([]byte, error) {
	var e Encoder
	Encode(&e, v)
	return e.buf, e.err
}

// Unmarshal decodes b, which must hold exactly one value, as a T (see [Decode]).
func Unmarshal[T any](b []byte) (T, error) {
	d := Decoder{buf: b}
	v, err := Decode[T](&d)
	if err == nil {
		err = d.End()
	}
	return v, err
}

// Slice is a []T that encodes and decodes itself element by element with [Encode] and [Decode],
// for element types the SDK has no built-in case for: wabi.Slice[Person],
// wabi.Slice[wabi.Slice[uint32]] (a Rust Vec<Vec<u32>>). Elements are encoded and decoded where
// they are stored: no copy of each in an interface.
type Slice[T any] []T

// MarshalMsg writes the slice as an array.
func (s Slice[T]) MarshalMsg(e *Encoder) {
	if e.err != nil {
		return
	}
	if !e.enter() {
		e.tooDeep(s)
		return
	}
	e.WriteArrayHeader(len(s))
	for i := range s {
		encodeAt(e, &s[i])
		if e.err != nil {
			e.inside(indexSegment(i))
			break
		}
	}
	e.leave()
}

// encodeAt writes *p as [Encode] writes a T, without copying a T into an interface when T (or
// *T) is a Marshaler.
func encodeAt[T any](e *Encoder, p *T) {
	if m, ok := any(p).(Marshaler); ok { // MarshalMsg on T or on *T
		m.MarshalMsg(e)
		return
	}
	Encode(e, *p)
}

// UnmarshalMsg reads an array.
func (s *Slice[T]) UnmarshalMsg(d *Decoder) (err error) {
	*s, err = decodeSliceInPlace[T](d)
	return err
}

// Map is a map[string]V that encodes (keys sorted) and decodes itself with [Encode] and
// [Decode]: wabi.Map[[]uint32] is a Rust HashMap<String, Vec<u32>> or BTreeMap<String, Vec<u32>>.
type Map[V any] map[string]V

// MarshalMsg writes the map with its keys sorted.
func (m Map[V]) MarshalMsg(e *Encoder) {
	tmp := new(V) // one V for every value, so that none is copied into an interface
	EncodeMap(e, m, func(e *Encoder, v V) {
		*tmp = v
		encodeAt(e, tmp)
	})
}

// UnmarshalMsg reads a map with str keys.
func (m *Map[V]) UnmarshalMsg(d *Decoder) (err error) {
	tmp := new(V) // each value is decoded here, then copied into the map
	*m, err = DecodeMap(d, func(d *Decoder) (V, error) {
		var zero V
		*tmp = zero
		err := d.Decode(tmp)
		return *tmp, err
	})
	return err
}
