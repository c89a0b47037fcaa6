package wabi

import (
	"sort"
	"time"
)

// WriteAny writes a dynamic value. It accepts:
//
//   - nil, bool, every int and uint type, float32 (float 32), float64 (float 64), string;
//   - []byte (always a bin here, also when empty, so that a decoded bin re-encodes the same);
//   - []any and map[string]any, nested to any depth (map keys sorted, so the output is
//     deterministic); map[any]any (keys sorted by their encoding);
//   - time.Time and [Timestamp] (the timestamp extension), [Ext], [Raw];
//   - slices and string-keyed maps of the common scalar types ([]string, []int64, []uint32,
//     map[string]string, map[string]int64, ...), pointers to scalars (nil is nil);
//   - struct{} (nil), and any [Marshaler].
//
// Anything else records an error (see [Encoder.Err]).
func (e *Encoder) WriteAny(v any) {
	if m, ok := v.(Marshaler); ok {
		m.MarshalMsg(e)
		return
	}
	if !e.writeKnown(v, true) {
		e.fail("unsupported type in a dynamic value (implement wabi.Marshaler)")
	}
}

// writeKnown writes v if its type is one the SDK knows and reports whether it did. dyn selects
// the dynamic form of []byte (always bin) over the typed form (empty = 90, as in Rust).
func (e *Encoder) writeKnown(v any, dyn bool) bool {
	switch x := v.(type) {
	case nil:
		e.WriteNil()
	case bool:
		e.WriteBool(x)
	case int:
		e.WriteInt(int64(x))
	case int8:
		e.WriteInt(int64(x))
	case int16:
		e.WriteInt(int64(x))
	case int32:
		e.WriteInt(int64(x))
	case int64:
		e.WriteInt(x)
	case uint:
		e.WriteUint(uint64(x))
	case uint8:
		e.WriteUint(uint64(x))
	case uint16:
		e.WriteUint(uint64(x))
	case uint32:
		e.WriteUint(uint64(x))
	case uint64:
		e.WriteUint(x)
	case uintptr:
		e.WriteUint(uint64(x))
	case float32:
		e.WriteFloat32(x)
	case float64:
		e.WriteFloat64(x)
	case string:
		e.WriteString(x)
	case []byte:
		if dyn {
			e.WriteBin(x)
		} else {
			e.WriteBytes(x)
		}
	case []any:
		e.WriteArrayHeader(len(x))
		for _, el := range x {
			e.WriteAny(el)
		}
	case map[string]any:
		EncodeMap(e, x, (*Encoder).WriteAny)
	case map[any]any:
		e.writeAnyMap(x)
	case time.Time:
		e.WriteTime(x)
	case struct{}:
		e.WriteNil()

	case []string:
		EncodeSlice(e, x, (*Encoder).WriteString)
	case []bool:
		EncodeSlice(e, x, (*Encoder).WriteBool)
	case []int:
		EncodeSlice(e, x, func(e *Encoder, v int) { e.WriteInt(int64(v)) })
	case []int32:
		EncodeSlice(e, x, func(e *Encoder, v int32) { e.WriteInt(int64(v)) })
	case []int64:
		EncodeSlice(e, x, (*Encoder).WriteInt)
	case []uint:
		EncodeSlice(e, x, func(e *Encoder, v uint) { e.WriteUint(uint64(v)) })
	case []uint16:
		EncodeSlice(e, x, func(e *Encoder, v uint16) { e.WriteUint(uint64(v)) })
	case []uint32:
		EncodeSlice(e, x, func(e *Encoder, v uint32) { e.WriteUint(uint64(v)) })
	case []uint64:
		EncodeSlice(e, x, (*Encoder).WriteUint)
	case []float32:
		EncodeSlice(e, x, (*Encoder).WriteFloat32)
	case []float64:
		EncodeSlice(e, x, (*Encoder).WriteFloat64)
	case [][]byte:
		if dyn {
			EncodeSlice(e, x, (*Encoder).WriteBin)
		} else {
			EncodeSlice(e, x, (*Encoder).WriteBytes)
		}
	case map[string]string:
		EncodeMap(e, x, (*Encoder).WriteString)
	case map[string]bool:
		EncodeMap(e, x, (*Encoder).WriteBool)
	case map[string]int:
		EncodeMap(e, x, func(e *Encoder, v int) { e.WriteInt(int64(v)) })
	case map[string]int64:
		EncodeMap(e, x, (*Encoder).WriteInt)
	case map[string]uint64:
		EncodeMap(e, x, (*Encoder).WriteUint)
	case map[string]float64:
		EncodeMap(e, x, (*Encoder).WriteFloat64)

	case *string:
		EncodeOpt(e, x, (*Encoder).WriteString)
	case *bool:
		EncodeOpt(e, x, (*Encoder).WriteBool)
	case *int:
		EncodeOpt(e, x, func(e *Encoder, v int) { e.WriteInt(int64(v)) })
	case *int32:
		EncodeOpt(e, x, func(e *Encoder, v int32) { e.WriteInt(int64(v)) })
	case *int64:
		EncodeOpt(e, x, (*Encoder).WriteInt)
	case *uint32:
		EncodeOpt(e, x, func(e *Encoder, v uint32) { e.WriteUint(uint64(v)) })
	case *uint64:
		EncodeOpt(e, x, (*Encoder).WriteUint)
	case *float32:
		EncodeOpt(e, x, (*Encoder).WriteFloat32)
	case *float64:
		EncodeOpt(e, x, (*Encoder).WriteFloat64)
	default:
		return false
	}
	return true
}

// writeAnyMap writes a map[any]any with its entries sorted by the encoding of their keys.
func (e *Encoder) writeAnyMap(m map[any]any) {
	entries := make(anyEntries, 0, len(m))
	var ke Encoder
	for k, v := range m {
		ke.Reset(nil)
		ke.WriteAny(k)
		e.SetError(ke.err)
		entries = append(entries, anyEntry{ke.buf, v})
	}
	sort.Sort(entries)
	e.WriteMapHeader(len(entries))
	for _, en := range entries {
		e.buf = append(e.buf, en.key...)
		e.WriteAny(en.val)
	}
}

type anyEntry struct {
	key []byte
	val any
}

// anyEntries sorts map entries by their encoded keys (sort.Sort: no reflection, unlike
// sort.Slice).
type anyEntries []anyEntry

func (a anyEntries) Len() int           { return len(a) }
func (a anyEntries) Less(i, j int) bool { return string(a[i].key) < string(a[j].key) }
func (a anyEntries) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }

// ReadAny reads any value into Go's dynamic types:
//
//	nil                      -> nil
//	bool                     -> bool
//	int (any marker)         -> int64, or uint64 for values above math.MaxInt64
//	float 32 / float 64      -> float32 / float64
//	str                      -> string
//	bin                      -> []byte (non-nil, also when empty)
//	array                    -> []any
//	map                      -> map[string]any when every key is a str, else map[any]any
//	ext -1 (timestamp)       -> Timestamp (lossless; Timestamp.Time converts)
//	other ext                -> Ext
//
// A map with non-string keys that cannot be Go map keys (arrays, maps, bins) is an error.
func (d *Decoder) ReadAny() (any, error) {
	b, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch kindOf(b) {
	case KindNil:
		d.pos++
		return nil, nil
	case KindBool:
		return d.ReadBool()
	case KindInt:
		v, neg, err := d.readInteger()
		if err != nil {
			return nil, err
		}
		if neg || int64(v) >= 0 {
			return int64(v), nil
		}
		return v, nil
	case KindFloat:
		if b == 0xca {
			return d.ReadFloat32()
		}
		return d.ReadFloat64()
	case KindStr:
		return d.ReadString()
	case KindBin:
		v, err := d.ReadBytes()
		if err != nil {
			return nil, err
		}
		return v, nil
	case KindArray:
		return d.readAnyArray()
	case KindMap:
		return d.readAnyMap()
	case KindExt:
		start := d.pos
		typ, data, err := d.ReadExt()
		if err != nil {
			return nil, err
		}
		if typ == -1 {
			t, ok := parseTimestamp(data)
			if !ok {
				d.pos = start
				return nil, d.errf("malformed timestamp")
			}
			return t, nil
		}
		return Ext{Type: typ, Data: data}, nil
	}
	return nil, d.errf("invalid marker 0xc1")
}

// capHint bounds a preallocation from a length prefix (already checked against the bytes left).
func capHint(n int) int {
	if n > 1024 {
		return 1024
	}
	return n
}

func (d *Decoder) readAnyArray() ([]any, error) {
	n, err := d.ReadArrayHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	out := make([]any, 0, capHint(n))
	for i := 0; i < n; i++ {
		v, err := d.ReadAny()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *Decoder) readAnyMap() (any, error) {
	n, err := d.ReadMapHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	m := make(map[string]any, capHint(n))
	var mm map[any]any
	for i := 0; i < n; i++ {
		if mm == nil && d.PeekKind() == KindStr {
			k, err := d.ReadString()
			if err != nil {
				return nil, err
			}
			v, err := d.ReadAny()
			if err != nil {
				return nil, err
			}
			m[k] = v
			continue
		}
		if mm == nil {
			mm = make(map[any]any, capHint(n))
			for k, v := range m {
				mm[k] = v
			}
		}
		at := d.pos
		k, err := d.ReadAny()
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case []byte, []any, map[string]any, map[any]any, Ext:
			d.pos = at
			return nil, d.errf("a map key of this type cannot be a Go map key")
		}
		v, err := d.ReadAny()
		if err != nil {
			return nil, err
		}
		mm[k] = v
	}
	if mm != nil {
		return mm, nil
	}
	return m, nil
}
