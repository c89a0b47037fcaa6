package wabi

import (
	"sort"
	"strconv"
	"time"
)

// EncodeSlice writes s as an array, each element with f. A nil slice is an empty array (Rust has
// no nil Vec).
//
//	wabi.EncodeSlice(e, p.Tags, (*wabi.Encoder).WriteString)
func EncodeSlice[T any](e *Encoder, s []T, f func(*Encoder, T)) {
	e.WriteArrayHeader(len(s))
	for _, v := range s {
		f(e, v)
	}
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
	defer d.leave()
	out := make([]T, 0, capHint(n))
	for i := 0; i < n; i++ {
		at := d.pos
		v, err := f(d)
		if err != nil {
			return nil, wrapErr(err, "element "+strconv.Itoa(i), at)
		}
		out = append(out, v)
	}
	return out, nil
}

// EncodeMap writes m as a map with string keys in sorted order (the order of a Rust BTreeMap, and
// deterministic), each value with f. A nil map is an empty map.
func EncodeMap[V any](e *Encoder, m map[string]V, f func(*Encoder, V)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.WriteMapHeader(len(keys))
	for _, k := range keys {
		e.WriteString(k)
		f(e, m[k])
	}
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
	defer d.leave()
	out := make(map[string]V, capHint(n))
	for i := 0; i < n; i++ {
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
		e.fail("unsupported type (implement wabi.Marshaler)")
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
// wabi.Slice[wabi.Slice[uint32]] (a Rust Vec<Vec<u32>>).
type Slice[T any] []T

// MarshalMsg writes the slice as an array.
func (s Slice[T]) MarshalMsg(e *Encoder) { EncodeSlice(e, s, Encode[T]) }

// UnmarshalMsg reads an array.
func (s *Slice[T]) UnmarshalMsg(d *Decoder) (err error) {
	*s, err = DecodeSlice(d, Decode[T])
	return err
}

// Map is a map[string]V that encodes (keys sorted) and decodes itself with [Encode] and
// [Decode]: wabi.Map[[]uint32] is a Rust HashMap<String, Vec<u32>> or BTreeMap<String, Vec<u32>>.
type Map[V any] map[string]V

// MarshalMsg writes the map with its keys sorted.
func (m Map[V]) MarshalMsg(e *Encoder) { EncodeMap(e, m, Encode[V]) }

// UnmarshalMsg reads a map with str keys.
func (m *Map[V]) UnmarshalMsg(d *Decoder) (err error) {
	*m, err = DecodeMap(d, Decode[V])
	return err
}
