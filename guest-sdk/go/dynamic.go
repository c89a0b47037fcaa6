package wabi

import (
	"bytes"
	"sort"
	"strconv"
	"time"
	"unsafe"
)

// WriteAny writes a dynamic value. It accepts:
//
//   - nil, bool, every int and uint type, float32 (float 32), float64 (float 64), string (UTF-8);
//   - []byte (always a bin here, also when empty, so that a decoded bin re-encodes the same);
//   - []any, map[string]any and map[any]any, nested up to [MaxDepth] containers;
//   - time.Time and [Timestamp] (the timestamp extension), [Ext], [Raw];
//   - slices and string-keyed maps of the common scalar types ([]string, []int64, []uint32,
//     map[string]string, map[string]int64, ...), pointers to scalars (nil is nil);
//   - struct{} (nil), and any [Marshaler].
//
// Maps are written in one canonical key order, so that equal values give equal bytes: keys are
// ordered first by MessagePack type (nil, bool, integer, float 32, float 64, str, bin, array, map,
// ext: the order of rmpv::Value's variants), then by value: integers numerically whatever their Go
// type, floats in IEEE 754 total order (Rust's total_cmp: -NaN < -Inf < ... < -0 < +0 < ... < +Inf
// < +NaN, NaNs by payload), strings and bins by their bytes (the order of sort.Strings and of a
// Rust BTreeMap<String, _>: map[any]any and map[string]any with the same string keys give the
// same bytes), arrays and maps element by element (as Rust orders tuples), extensions by type and
// then by data, timestamps chronologically. Two keys that encode the same (int8(1) and int64(1),
// two NaNs with the same bits, a time.Time and the equal Timestamp) are an error: a decoder would
// keep only one of them.
//
// Anything else records an error (see [Encoder.Err]) that names the value's path and Go type.
func (e *Encoder) WriteAny(v any) {
	if m, ok := v.(Marshaler); ok {
		m.MarshalMsg(e)
		return
	}
	if !e.writeKnown(v, true) {
		e.unsupported(v, "")
	}
}

// unsupported records that v's type cannot be encoded (as what: "" or " as a map key").
func (e *Encoder) unsupported(v any, as string) {
	t := typeName(v)
	msg := "unsupported Go type"
	if t != "" {
		msg += " " + t
	}
	e.failType(msg+as+" (implement wabi.Marshaler)", t)
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
		EncodeSlice(e, x, (*Encoder).WriteAny)
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

// anyEntry is one entry of a map[any]any.
type anyEntry struct{ k, v any }

// keyRef is what sorting moves: a small struct without pointers (no write barriers), for one
// entry and its encoded key.
type keyRef struct {
	num        uint64 // nil, bool, integer, float: the value, mapped so that unsigned order is key order
	start, end uint32 // the key's encoding in keyOrder.buf
	i          int32  // the entry
	rank, sub  uint8  // entryRank; where the bytes of a str or bin key start in its encoding
}

// writeAnyMap writes a map[any]any with its entries in the canonical key order (see WriteAny).
func (e *Encoder) writeAnyMap(m map[any]any) {
	if e.err != nil {
		return
	}
	if !e.enter() {
		e.tooDeep(m)
		return
	}
	defer e.leave()
	// Every key encoded into one buffer, by an encoder as deep as the map's entries.
	ke := Encoder{buf: make([]byte, 0, 16*len(m)), depth: e.depth}
	order := keyOrder{entries: make([]anyEntry, 0, len(m)), refs: make([]keyRef, 0, len(m))}
	for k, v := range m {
		start := len(ke.buf)
		mk, isMarshaler := k.(Marshaler)
		if isMarshaler {
			mk.MarshalMsg(&ke)
		} else if !ke.writeKnown(k, true) {
			e.unsupported(k, " as a map key")
			return
		}
		if ke.err != nil {
			e.err = ke.err
			if s, ok := k.(string); ok {
				e.inside("[" + strconv.Quote(s) + "]")
			} else if ee, ok := e.err.(*EncodeError); ok && ee.Err == nil {
				ee.Msg = "map key: " + ee.Msg
			}
			return
		}
		if isMarshaler && !isOneValue(ke.buf[start:]) {
			t := typeName(k)
			e.failType("a map key of type "+t+" does not encode as exactly one value", t)
			return
		}
		r := keyRef{start: uint32(start), end: uint32(len(ke.buf)), i: int32(len(order.entries))}
		r.rank, r.num, r.sub = entryRank(ke.buf[start:])
		order.refs = append(order.refs, r)
		order.entries = append(order.entries, anyEntry{k, v})
	}
	order.buf = ke.buf
	sort.Sort(&order)
	for i := 1; i < len(order.refs); i++ {
		if order.compare(i-1, i) == 0 {
			e.duplicateKey(order.entries[order.refs[i-1].i].k, order.entries[order.refs[i].i].k)
			return
		}
	}
	e.WriteMapHeader(len(order.refs))
	for _, r := range order.refs {
		e.buf = append(e.buf, order.buf[r.start:r.end]...)
		en := &order.entries[r.i]
		e.WriteAny(en.v)
		if e.err != nil {
			e.inside(keySegment(en.k))
			return
		}
	}
}

// entryRank classifies an encoded key for sorting: its rank in the key order (nil, bool,
// negative integer, non-negative integer, float 32, float 64, str, bin, array, map, ext), and
// the number (or, for a str or bin, where its bytes start) that orders keys of the same rank
// (arrays, maps and extensions are compared whole, by compareKeys).
func entryRank(key []byte) (rank uint8, num uint64, sub uint8) {
	d := Decoder{buf: key}
	m := key[0]
	switch kindOf(m) {
	case KindNil:
		return 0, 0, 0
	case KindBool:
		return 1, uint64(m & 1), 0
	case KindInt:
		v, neg, _ := d.readInteger()
		if neg {
			return 2, v, 0 // two's complement: unsigned order is numeric order among negatives
		}
		return 3, v, 0
	case KindFloat:
		if m == 0xca {
			v, _ := d.uintN(4)
			return 4, totalOrder(v << 32), 0
		}
		v, _ := d.uintN(8)
		return 5, totalOrder(v), 0
	case KindStr:
		d.strLen(m)
		return 6, 0, uint8(d.pos)
	case KindBin:
		d.binLen(m)
		return 7, 0, uint8(d.pos)
	case KindArray:
		return 8, 0, 0
	case KindMap:
		return 9, 0, 0
	}
	return 10, 0, 0
}

// isOneValue reports whether b is exactly one MessagePack value (a Marshaler used as a map key
// might write none, or several).
func isOneValue(b []byte) bool {
	d := Decoder{buf: b}
	return len(b) > 0 && d.Skip() == nil && d.pos == len(b)
}

func (e *Encoder) duplicateKey(a, b any) {
	ta, tb := typeName(a), typeName(b)
	if tb < ta {
		ta, tb = tb, ta
	}
	msg := "duplicate map key"
	if s, ok := keyText(a); ok {
		msg += " " + s
	}
	if ta != "" && tb != "" {
		msg += " (" + ta + " and " + tb + " encode the same)"
	}
	e.failType(msg, ta)
}

// keyOrder sorts the entries of a map by their keys (sort.Sort: no reflection, unlike
// sort.Slice).
type keyOrder struct {
	refs    []keyRef
	entries []anyEntry
	buf     []byte // the encoded keys
}

func (o *keyOrder) Len() int           { return len(o.refs) }
func (o *keyOrder) Less(i, j int) bool { return o.compare(i, j) < 0 }
func (o *keyOrder) Swap(i, j int)      { o.refs[i], o.refs[j] = o.refs[j], o.refs[i] }

// compare orders the keys of refs i and j.
func (o *keyOrder) compare(i, j int) int {
	x, y := &o.refs[i], &o.refs[j]
	switch {
	case x.rank != y.rank:
		return int(x.rank) - int(y.rank)
	case x.rank <= 5:
		return cmpUint64(x.num, y.num)
	case x.rank <= 7:
		return bytes.Compare(o.buf[x.start+uint32(x.sub):x.end], o.buf[y.start+uint32(y.sub):y.end])
	}
	return compareKeys(o.buf[x.start:x.end], o.buf[y.start:y.end])
}

// keyRank is the position of a value's type in the canonical key order: the order of
// rmpv::Value's variants (Nil, Boolean, Integer, F32, F64, String, Binary, Array, Map, Ext).
func keyRank(b byte) int {
	switch kindOf(b) {
	case KindNil:
		return 0
	case KindBool:
		return 1
	case KindInt:
		return 2
	case KindFloat:
		if b == 0xca {
			return 3
		}
		return 4
	case KindStr:
		return 5
	case KindBin:
		return 6
	case KindArray:
		return 7
	case KindMap:
		return 8
	case KindExt:
		return 9
	}
	return 10
}

// compareKeys orders two encoded keys, each one complete value, in the canonical key order.
func compareKeys(a, b []byte) int {
	da, db := Decoder{buf: a}, Decoder{buf: b}
	return compareValues(&da, &db)
}

func compareValues(a, b *Decoder) int {
	ma, mb := a.buf[a.pos], b.buf[b.pos]
	ra, rb := keyRank(ma), keyRank(mb)
	if ra != rb {
		return ra - rb
	}
	switch ra {
	case 0, 1: // nil; bool: c2 (false) < c3 (true)
		a.pos++
		b.pos++
		return int(ma) - int(mb)
	case 2:
		va, na, _ := a.readInteger()
		vb, nb, _ := b.readInteger()
		switch {
		case na != nb:
			if na {
				return -1
			}
			return 1
		case na:
			return cmpInt64(int64(va), int64(vb))
		}
		return cmpUint64(va, vb)
	case 3:
		va, _ := a.uintN(4)
		vb, _ := b.uintN(4)
		return cmpUint64(totalOrder(va<<32), totalOrder(vb<<32))
	case 4:
		va, _ := a.uintN(8)
		vb, _ := b.uintN(8)
		return cmpUint64(totalOrder(va), totalOrder(vb))
	case 5, 6:
		return bytes.Compare(a.rawBytes(ma), b.rawBytes(mb))
	case 7, 8:
		var na, nb int
		if ra == 7 {
			na, _ = a.ReadArrayHeader()
			nb, _ = b.ReadArrayHeader()
		} else {
			na, _ = a.ReadMapHeader()
			nb, _ = b.ReadMapHeader()
			na, nb = 2*na, 2*nb
		}
		for i := 0; i < na && i < nb; i++ {
			if c := compareValues(a, b); c != 0 {
				return c
			}
		}
		return na - nb
	case 9:
		ta, xa, _ := a.readExtView()
		tb, xb, _ := b.readExtView()
		if ta != tb {
			return int(ta) - int(tb)
		}
		if ta == -1 {
			sa, oka := parseTimestamp(xa)
			sb, okb := parseTimestamp(xb)
			if oka && okb {
				if c := cmpInt64(sa.Sec, sb.Sec); c != 0 {
					return c
				}
				return cmpInt64(int64(sa.Nsec), int64(sb.Nsec))
			}
		}
		return bytes.Compare(xa, xb)
	}
	return bytes.Compare(a.buf[a.pos:], b.buf[b.pos:])
}

// rawBytes reads the payload of a str or bin whose marker is m (no UTF-8 check).
func (d *Decoder) rawBytes(m byte) []byte {
	n, ok, _ := d.strLen(m)
	if !ok {
		n, _, _ = d.binLen(m)
	}
	v, _ := d.take(n)
	return v
}

// totalOrder maps the bits of a float 64 (a float 32's in the top half) to an unsigned integer
// whose order is IEEE 754 total order.
func totalOrder(bits uint64) uint64 {
	if bits>>63 != 0 {
		return ^bits
	}
	return bits | 1<<63
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// keySegment is the path segment of the map entry with key k: ["k"] for a string, [k] for a
// number, a bool or nil, [(T)] otherwise.
func keySegment(k any) string {
	if s, ok := keyText(k); ok {
		return "[" + s + "]"
	}
	return "[(" + typeName(k) + ")]"
}

// keyText renders a map key for paths and messages, if it is a scalar.
func keyText(k any) (string, bool) {
	switch x := k.(type) {
	case nil:
		return "nil", true
	case string:
		return strconv.Quote(x), true
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), true
	case Timestamp:
		if x.Nsec < 1e9 {
			return x.Time().Format(time.RFC3339Nano), true
		}
	}
	return scalarText(k)
}

// typeName names v's Go type as Go source spells it: a type switch for the types the SDK knows,
// the runtime's name for others where that is available without reflect (mainline Go; "" under
// TinyGo).
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "bool"
	case int:
		return "int"
	case int8:
		return "int8"
	case int16:
		return "int16"
	case int32:
		return "int32"
	case int64:
		return "int64"
	case uint:
		return "uint"
	case uint8:
		return "uint8"
	case uint16:
		return "uint16"
	case uint32:
		return "uint32"
	case uint64:
		return "uint64"
	case uintptr:
		return "uintptr"
	case float32:
		return "float32"
	case float64:
		return "float64"
	case string:
		return "string"
	case []byte:
		return "[]byte"
	case []any:
		return "[]any"
	case map[string]any:
		return "map[string]any"
	case map[any]any:
		return "map[any]any"
	case time.Time:
		return "time.Time"
	case Timestamp:
		return "wabi.Timestamp"
	case Ext:
		return "wabi.Ext"
	case Raw:
		return "wabi.Raw"
	case struct{}:
		return "struct {}"
	case []string:
		return "[]string"
	case map[string]string:
		return "map[string]string"
	}
	return unknownTypeName(v)
}

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

func (d *Decoder) readAnyArray() ([]any, error) {
	n, err := d.ReadArrayHeader()
	if err != nil {
		return nil, err
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	r := d.reserve(n, unsafe.Sizeof(any(nil)))
	defer d.leaveReserved(&r)
	out := make([]any, 0, r.left)
	for i := 0; i < n; i++ {
		d.use(&r)
		v, err := d.ReadAny()
		if err != nil {
			return nil, err
		}
		if len(out) == cap(out) {
			out = grow(out, n)
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
	// map[string]any and map[any]any entries take the same memory.
	r := d.reserve(n, mapEntrySize(unsafe.Sizeof(""), unsafe.Sizeof(any(nil))))
	defer d.leaveReserved(&r)
	m := make(map[string]any, r.left)
	var mm map[any]any
	for i := 0; i < n; i++ {
		d.use(&r)
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
			mm = make(map[any]any, len(m)+r.left)
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
