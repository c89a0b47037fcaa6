package wabi

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestIntegerForms(t *testing.T) {
	cases := []struct {
		v   int64
		hex string
	}{
		{0, "00"}, {1, "01"}, {127, "7f"}, {128, "cc80"}, {255, "ccff"}, {256, "cd0100"},
		{65535, "cdffff"}, {65536, "ce00010000"}, {math.MaxUint32, "ceffffffff"},
		{math.MaxUint32 + 1, "cf0000000100000000"}, {math.MaxInt64, "cf7fffffffffffffff"},
		{-1, "ff"}, {-32, "e0"}, {-33, "d0df"}, {-128, "d080"}, {-129, "d1ff7f"},
		{-32768, "d18000"}, {-32769, "d2ffff7fff"}, {math.MinInt32, "d280000000"},
		{math.MinInt32 - 1, "d3ffffffff7fffffff"}, {math.MinInt64, "d38000000000000000"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteInt(c.v)
		if hx(e.Bytes()) != c.hex {
			t.Errorf("WriteInt(%d) = %s, want %s", c.v, hx(e.Bytes()), c.hex)
		}
		if c.v >= 0 {
			e.Reset(nil)
			e.WriteUint(uint64(c.v))
			if hx(e.Bytes()) != c.hex {
				t.Errorf("WriteUint(%d) = %s, want %s", c.v, hx(e.Bytes()), c.hex)
			}
		}
		got, err := NewDecoder(unhex(t, c.hex)).ReadInt64()
		if err != nil || got != c.v {
			t.Errorf("ReadInt64(%s) = %d, %v", c.hex, got, err)
		}
		dyn, err := NewDecoder(unhex(t, c.hex)).ReadAny()
		if err != nil || dyn != any(c.v) {
			t.Errorf("ReadAny(%s) = %#v, %v; want int64", c.hex, dyn, err)
		}
	}
	// Every Go integer type encodes to the smallest form.
	for _, v := range []any{int(5), int8(5), int16(5), int32(5), int64(5), uint(5), uint8(5),
		uint16(5), uint32(5), uint64(5), uintptr(5)} {
		var e Encoder
		e.WriteAny(v)
		if hx(e.Bytes()) != "05" {
			t.Errorf("%T(5) -> %s", v, hx(e.Bytes()))
		}
	}
	// Non-canonical forms decode too (other encoders may use them).
	for _, h := range []string{"d005", "d10005", "d200000005", "d30000000000000005", "cc05", "cd0005",
		"ce00000005", "cf0000000000000005"} {
		v, err := NewDecoder(unhex(t, h)).ReadUint8()
		if err != nil || v != 5 {
			t.Errorf("ReadUint8(%s) = %d, %v", h, v, err)
		}
	}
	// Values above MaxInt64 are uint64 in dynamic values.
	dyn, _ := NewDecoder(unhex(t, "cf8000000000000000")).ReadAny()
	if dyn != any(uint64(1<<63)) {
		t.Errorf("ReadAny(2^63) = %#v", dyn)
	}
}

func TestIntegerRanges(t *testing.T) {
	type rd struct {
		name string
		read func(*Decoder) error
	}
	readers := []rd{
		{"int8", func(d *Decoder) error { _, err := d.ReadInt8(); return err }},
		{"int16", func(d *Decoder) error { _, err := d.ReadInt16(); return err }},
		{"int32", func(d *Decoder) error { _, err := d.ReadInt32(); return err }},
		{"int64", func(d *Decoder) error { _, err := d.ReadInt64(); return err }},
		{"uint8", func(d *Decoder) error { _, err := d.ReadUint8(); return err }},
		{"uint16", func(d *Decoder) error { _, err := d.ReadUint16(); return err }},
		{"uint32", func(d *Decoder) error { _, err := d.ReadUint32(); return err }},
		{"uint64", func(d *Decoder) error { _, err := d.ReadUint64(); return err }},
	}
	// value (as hex) -> the readers that accept it
	accept := map[string][]string{
		"7f":                 {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"},
		"cc80":               {"int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"},
		"ff":                 {"int8", "int16", "int32", "int64"},
		"d0df":               {"int8", "int16", "int32", "int64"},
		"d1ff7f":             {"int16", "int32", "int64"},
		"cd8000":             {"int32", "int64", "uint16", "uint32", "uint64"},
		"ce80000000":         {"int64", "uint32", "uint64"},
		"d280000000":         {"int32", "int64"},
		"cfffffffffffffffff": {"uint64"},
		"d38000000000000000": {"int64"},
	}
	for h, ok := range accept {
		for _, r := range readers {
			want := false
			for _, n := range ok {
				want = want || n == r.name
			}
			d := NewDecoder(unhex(t, h))
			err := r.read(d)
			if (err == nil) != want {
				t.Errorf("%s as %s: err = %v", h, r.name, err)
			}
			if err != nil && d.Offset() != 0 {
				t.Errorf("%s as %s: a failed read consumed %d bytes", h, r.name, d.Offset())
			}
		}
	}
	// Floats and strings are not integers.
	for _, h := range []string{"ca3fc00000", "a131", "c0", "c3"} {
		if _, err := NewDecoder(unhex(t, h)).ReadInt64(); err == nil {
			t.Errorf("ReadInt64(%s) succeeded", h)
		}
	}
}

func TestFloats(t *testing.T) {
	var e Encoder
	e.WriteFloat32(1.5)
	e.WriteFloat64(-0.1)
	e.WriteFloat32(float32(math.Inf(-1)))
	e.WriteFloat64(math.Copysign(0, -1))
	e.WriteAny(float32(2))
	e.WriteAny(2.0)
	want := "ca3fc00000" + "cbbfb999999999999a" + "caff800000" + "cb8000000000000000" + "ca40000000" + "cb4000000000000000"
	if hx(e.Bytes()) != want {
		t.Fatalf("got %s", hx(e.Bytes()))
	}
	d := NewDecoder(e.Bytes())
	if v, err := d.ReadFloat32(); v != 1.5 || err != nil {
		t.Error(v, err)
	}
	if v, err := d.ReadFloat64(); v != -0.1 || err != nil {
		t.Error(v, err)
	}
	if v, err := d.ReadAny(); v != any(float32(math.Inf(-1))) || err != nil {
		t.Error(v, err)
	}
	if v, err := d.ReadFloat64(); !math.Signbit(v) || v != 0 || err != nil {
		t.Error(v, err)
	}
	if v, err := d.ReadFloat64(); v != 2 || err != nil { // f32 widened
		t.Error(v, err)
	}
	if v, err := d.ReadFloat32(); v != 2 || err != nil { // f64 narrowed
		t.Error(v, err)
	}
	// NaN keeps its bits.
	e.Reset(nil)
	e.WriteFloat64(math.NaN())
	v, _ := NewDecoder(e.Bytes()).ReadAny()
	if f, ok := v.(float64); !ok || !math.IsNaN(f) {
		t.Error(v)
	}
	// Integers are accepted where a float is expected (as serde does).
	if v, err := NewDecoder(unhex(t, "d0df")).ReadFloat64(); v != -33 || err != nil {
		t.Error(v, err)
	}
	if _, err := NewDecoder(unhex(t, "a131")).ReadFloat64(); err == nil {
		t.Error("a str is not a float")
	}
}

func TestLengthForms(t *testing.T) {
	header := func(f func(e *Encoder)) string {
		var e Encoder
		f(&e)
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		return hx(e.Bytes())
	}
	cases := []struct {
		got, want string
	}{
		{header(func(e *Encoder) { e.WriteStringHeader(31) }), "bf"},
		{header(func(e *Encoder) { e.WriteStringHeader(32) }), "d920"},
		{header(func(e *Encoder) { e.WriteStringHeader(255) }), "d9ff"},
		{header(func(e *Encoder) { e.WriteStringHeader(256) }), "da0100"},
		{header(func(e *Encoder) { e.WriteStringHeader(65536) }), "db00010000"},
		{header(func(e *Encoder) { e.WriteBinHeader(0) }), "c400"},
		{header(func(e *Encoder) { e.WriteBinHeader(256) }), "c50100"},
		{header(func(e *Encoder) { e.WriteBinHeader(65536) }), "c600010000"},
		{header(func(e *Encoder) { e.WriteArrayHeader(15) }), "9f"},
		{header(func(e *Encoder) { e.WriteArrayHeader(16) }), "dc0010"},
		{header(func(e *Encoder) { e.WriteArrayHeader(65536) }), "dd00010000"},
		{header(func(e *Encoder) { e.WriteMapHeader(15) }), "8f"},
		{header(func(e *Encoder) { e.WriteMapHeader(16) }), "de0010"},
		{header(func(e *Encoder) { e.WriteMapHeader(65536) }), "df00010000"},
		{header(func(e *Encoder) { e.WriteBytes(nil) }), "90"},
		{header(func(e *Encoder) { e.WriteBin(nil) }), "c400"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %s, want %s", i, c.got, c.want)
		}
	}
	// Long values round-trip through each form.
	for _, n := range []int{0, 31, 32, 255, 256, 65535, 65536, 70000} {
		s := strings.Repeat("x", n)
		b := bytes.Repeat([]byte{7}, n)
		arr := make([]any, n)
		m := map[string]any{}
		for i := range arr {
			arr[i] = int64(i % 100)
		}
		for i := 0; i < n && i < 20000; i++ {
			m[strings.Repeat("k", 1+i%3)+itoa(i)] = int64(i)
		}
		for _, v := range []any{s, b, arr, m} {
			var e Encoder
			e.WriteAny(v)
			back, err := NewDecoder(e.Bytes()).ReadAny()
			if err != nil {
				t.Fatalf("n=%d %T: %v", n, v, err)
			}
			if !reflect.DeepEqual(back, v) {
				t.Fatalf("n=%d %T: round trip differs", n, v)
			}
		}
	}
	var e Encoder
	e.WriteArrayHeader(-1)
	if e.Err() == nil {
		t.Error("negative length accepted")
	}
}

func TestStringsAndBytes(t *testing.T) {
	// A bin holding UTF-8 is accepted as a string (Rust accepts it too); invalid UTF-8 is not.
	if s, err := NewDecoder(unhex(t, "c4026869")).ReadString(); s != "hi" || err != nil {
		t.Error(s, err)
	}
	for _, h := range []string{"a2c328", "c402c328", "a1ff"} {
		if _, err := NewDecoder(unhex(t, h)).ReadString(); err == nil || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("%s: %v", h, err)
		}
		if _, err := NewDecoder(unhex(t, h)).ReadAny(); h[0] == 'a' && err == nil {
			t.Errorf("ReadAny %s accepted invalid UTF-8", h)
		}
	}
	// Bytes: bin, array of 0-255, nil; not a str; array elements must fit a byte.
	for h, want := range map[string][]byte{"c403010203": {1, 2, 3}, "93010203": {1, 2, 3}, "90": {}, "c400": {},
		"92ccff00": {255, 0}, "c0": nil} {
		b, err := NewDecoder(unhex(t, h)).ReadBytes()
		if err != nil || !bytes.Equal(b, want) || (want == nil) != (b == nil) {
			t.Errorf("ReadBytes(%s) = %v, %v", h, b, err)
		}
	}
	for _, h := range []string{"a26869", "91cd0100", "91ff", "91a0", "c403"} {
		if _, err := NewDecoder(unhex(t, h)).ReadBytes(); err == nil {
			t.Errorf("ReadBytes(%s) succeeded", h)
		}
	}
	// Decoded strings and bytes do not alias the input.
	in := unhex(t, "a3616263")
	s, _ := NewDecoder(in).ReadString()
	in[1] = 'z'
	if s != "abc" {
		t.Error("ReadString aliases its input")
	}
	in = unhex(t, "c403010203")
	b, _ := NewDecoder(in).ReadBytes()
	in[2] = 9
	if b[0] != 1 {
		t.Error("ReadBytes aliases its input")
	}
}

func TestTimestampAndExt(t *testing.T) {
	cases := []struct {
		ts  Timestamp
		hex string
	}{
		{Timestamp{0, 0}, "d6ff00000000"},
		{Timestamp{1, 0}, "d6ff00000001"},
		{Timestamp{math.MaxUint32, 0}, "d6ffffffffff"},
		{Timestamp{1, 1}, "d7ff0000000400000001"},
		{Timestamp{1<<34 - 1, 999999999}, "d7ffee6b27ffffffffff"},
		{Timestamp{1 << 34, 0}, "c70cff000000000000000400000000"},
		{Timestamp{-1, 5}, "c70cff00000005ffffffffffffffff"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteTimestamp(c.ts)
		if hx(e.Bytes()) != c.hex {
			t.Errorf("%+v: got %s want %s", c.ts, hx(e.Bytes()), c.hex)
		}
		got, err := NewDecoder(e.Bytes()).ReadTimestamp()
		if err != nil || got != c.ts {
			t.Errorf("%s: %+v %v", c.hex, got, err)
		}
		dyn, err := NewDecoder(e.Bytes()).ReadAny()
		if err != nil || dyn != any(c.ts) {
			t.Errorf("ReadAny %s: %#v %v", c.hex, dyn, err)
		}
	}
	tm := time.Date(2024, 2, 29, 12, 30, 45, 123456789, time.FixedZone("X", 3600))
	var e Encoder
	e.WriteAny(tm)
	back, err := NewDecoder(e.Bytes()).ReadTime()
	if err != nil || !back.Equal(tm) || back.Location() != time.UTC {
		t.Errorf("time round trip: %v %v", back, err)
	}
	if got, _ := Unmarshal[time.Time](e.Bytes()); !got.Equal(tm) {
		t.Error("Unmarshal[time.Time]")
	}
	// Nanoseconds out of range are malformed.
	if _, err := NewDecoder(unhex(t, "d7ffffffffff00000000")).ReadTimestamp(); err == nil {
		t.Error("nanoseconds >= 1e9 accepted")
	}
	e.Reset(nil)
	e.WriteTimestamp(Timestamp{Sec: 1, Nsec: 1e9})
	if e.Err() == nil {
		t.Error("encoding nanoseconds >= 1e9 accepted")
	}
	// Other extensions, in every size form.
	for _, n := range []int{1, 2, 3, 4, 8, 16, 17, 255, 256, 70000} {
		x := Ext{Type: 7, Data: bytes.Repeat([]byte{0xab}, n)}
		b, err := Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		dyn, err := NewDecoder(b).ReadAny()
		if err != nil || !reflect.DeepEqual(dyn, x) {
			t.Errorf("ext of %d bytes: %v", n, err)
		}
		if d := NewDecoder(b); d.Skip() != nil || d.Remaining() != 0 {
			t.Errorf("skip ext of %d bytes", n)
		}
	}
	if _, err := NewDecoder(unhex(t, "d40102")).ReadTimestamp(); err == nil {
		t.Error("ext 1 read as a timestamp")
	}
}

func TestDynamicNestedRoundTrip(t *testing.T) {
	// A map[string]any ten levels deep with every kind of value at each level.
	var build func(level int) map[string]any
	build = func(level int) map[string]any {
		m := map[string]any{
			"nil": nil, "t": true, "f": false, "neg": int64(-40000), "pos": int64(300),
			"big": uint64(math.MaxUint64), "f32": float32(1.25), "f64": -0.1, "s": "héllo",
			"bin": []byte{0, 1, 2}, "empty_bin": []byte{}, "arr": []any{int64(1), "two", nil, []any{}},
			"ts": Timestamp{Sec: 1700000000, Nsec: 42}, "ext": Ext{Type: 5, Data: []byte{9}},
		}
		if level < 10 {
			m["child"] = build(level + 1)
			m["list"] = []any{build(level + 1), map[string]any{}}
		}
		return m
	}
	v := build(1)
	var e Encoder
	e.WriteAny(v)
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
	back, err := NewDecoder(e.Bytes()).ReadAny()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, any(v)) {
		t.Fatal("10-level map does not round-trip")
	}
	// Deterministic: encoding again gives the same bytes (keys are sorted).
	var e2 Encoder
	e2.WriteAny(back)
	if !bytes.Equal(e.Bytes(), e2.Bytes()) {
		t.Fatal("re-encoding differs")
	}
	// Through the generic typed path as well.
	got, err := Unmarshal[map[string]any](e.Bytes())
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Fatal("Unmarshal[map[string]any]", err)
	}
}

func TestDynamicMapKeys(t *testing.T) {
	// Non-string keys give a map[any]any; encoding sorts entries by their encoded key.
	v, err := NewDecoder(unhex(t, "83 02a162 01a161 a163c3")).ReadAny()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[any]any)
	if !ok || m[int64(1)] != "a" || m[int64(2)] != "b" || m["c"] != true {
		t.Fatalf("%#v", v)
	}
	var e Encoder
	e.WriteAny(m)
	if hx(e.Bytes()) != "8301a16102a162a163c3" {
		t.Fatalf("got %s", hx(e.Bytes()))
	}
	// Keys that cannot be Go map keys are an error, not a panic.
	for _, h := range []string{"8191c0c0", "8180c0", "81c40100c0", "8101c0 00"} {
		_, err := NewDecoder(unhex(t, h)).ReadAny()
		if h == "8101c0 00" {
			continue
		}
		if err == nil {
			t.Errorf("%s accepted", h)
		}
	}
	// A string-keyed map decodes into map[any]any on request.
	mm, err := Unmarshal[map[any]any](unhex(t, "81a16101"))
	if err != nil || mm["a"] != int64(1) {
		t.Error(mm, err)
	}
	// Typed string-keyed maps reject other keys.
	if _, err := Unmarshal[map[string]int64](unhex(t, "810101")); err == nil {
		t.Error("int key accepted by map[string]int64")
	}
}

func TestDepthLimit(t *testing.T) {
	nest := func(n int, open byte, leaf []byte) []byte {
		b := bytes.Repeat([]byte{open}, n)
		return append(b, leaf...)
	}
	mapNest := func(n int) []byte {
		var b []byte
		for i := 0; i < n; i++ {
			b = append(b, 0x81, 0xa1, 'k')
		}
		return append(b, 0xc0)
	}
	readers := map[string]func(*Decoder) error{
		"ReadAny": func(d *Decoder) error { _, err := d.ReadAny(); return err },
		"Skip":    func(d *Decoder) error { return d.Skip() },
		"Decode[[]any or map[string]any]": func(d *Decoder) error {
			if d.PeekKind() == KindMap {
				_, err := Decode[map[string]any](d)
				return err
			}
			_, err := Decode[[]any](d)
			return err
		},
		"ReadRaw": func(d *Decoder) error { _, err := d.ReadRaw(); return err },
	}
	for name, read := range readers {
		for _, in := range [][]byte{nest(MaxDepth, 0x91, []byte{0xc0}), nest(MaxDepth-1, 0x91, []byte{0x90}), mapNest(MaxDepth)} {
			if err := read(NewDecoder(in)); err != nil {
				t.Errorf("%s: %d levels rejected: %v", name, MaxDepth, err)
			}
		}
		for _, in := range [][]byte{nest(MaxDepth+1, 0x91, []byte{0xc0}), nest(MaxDepth, 0x91, []byte{0x90}), mapNest(MaxDepth + 1)} {
			err := read(NewDecoder(in))
			if err == nil || !strings.Contains(err.Error(), "nesting") {
				t.Errorf("%s: %d levels: %v", name, MaxDepth+1, err)
			}
		}
		// The depth bomb of the spec's test: 100,000 nested arrays.
		err := read(NewDecoder(nest(100000, 0x91, []byte{0xc0})))
		if err == nil || !strings.Contains(err.Error(), "nesting") {
			t.Errorf("%s: depth bomb: %v", name, err)
		}
		err = read(NewDecoder(mapNest(100000)))
		if err == nil || !strings.Contains(err.Error(), "nesting") {
			t.Errorf("%s: map depth bomb: %v", name, err)
		}
	}
	// A recursive user type decoding through DecodeSlice is limited too.
	var tr tree
	if err := tr.UnmarshalMsg(NewDecoder(nest(100000, 0x91, []byte{0x90}))); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("recursive type: %v", err)
	}
	if err := tr.UnmarshalMsg(NewDecoder(nest(MaxDepth-1, 0x91, []byte{0x90}))); err != nil {
		t.Errorf("recursive type, %d levels: %v", MaxDepth, err)
	}
	// A struct nesting inside ReadFields counts as well.
	var p nestedPerson
	if err := p.UnmarshalMsg(NewDecoder(mapNest(100000))); err == nil {
		t.Error("ReadFields depth bomb accepted")
	}
}

// tree is a recursive type: an array of trees.
type tree []tree

func (t *tree) UnmarshalMsg(d *Decoder) (err error) {
	*t, err = DecodeSlice(d, Decode[tree])
	return err
}

// nestedPerson is a recursive struct: {"k": nestedPerson}.
type nestedPerson struct{ k *nestedPerson }

func (p *nestedPerson) UnmarshalMsg(d *Decoder) error {
	return d.ReadFields(func(key string) error {
		if d.IsNil() {
			return d.ReadNil()
		}
		p.k = new(nestedPerson)
		return p.k.UnmarshalMsg(d)
	})
}

func TestHugeLengthClaims(t *testing.T) {
	// Length prefixes far beyond the input are errors, found before anything is allocated.
	claims := []string{
		"dbffffffff",       // str of 4 GiB
		"dbffffffff61",     // ... with one byte present
		"c6ffffffff",       // bin of 4 GiB
		"ddffffffff",       // array of 4G elements
		"dfffffffff",       // map of 4G entries
		"c9ffffffff07",     // ext of 4 GiB
		"dc0100" + "c0",    // array 256 with one element
		"de0100" + "c0c0",  // map 256 with one entry
		"da0100" + "61",    // str 256 with one byte
		"91dbffffffff",     // nested
		"81a161dbffffffff", // as a map value
		"81dbffffffffc0",   // as a map key
		"9fc0",             // fixarray 15 with one element
	}
	var before, after runtime.MemStats
	for _, h := range claims {
		in := unhex(t, h)
		runtime.GC()
		runtime.ReadMemStats(&before)
		for name, read := range map[string]func(*Decoder) error{
			"ReadAny":    func(d *Decoder) error { _, err := d.ReadAny(); return err },
			"Skip":       func(d *Decoder) error { return d.Skip() },
			"ReadString": func(d *Decoder) error { _, err := d.ReadString(); return err },
			"ReadBytes":  func(d *Decoder) error { _, err := d.ReadBytes(); return err },
			"Person": func(d *Decoder) error {
				var p Person
				return p.UnmarshalMsg(d)
			},
			"[]string":       func(d *Decoder) error { _, err := Decode[[]string](d); return err },
			"map[string]any": func(d *Decoder) error { _, err := Decode[map[string]any](d); return err },
		} {
			if err := read(NewDecoder(in)); err == nil {
				t.Errorf("%s(%s) succeeded", name, h)
			}
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: %d bytes allocated", h, grew)
		}
	}
	// The error says what was wrong.
	_, err := NewDecoder(unhex(t, "dbffffffff")).ReadString()
	if err == nil || !strings.Contains(err.Error(), "4294967295") {
		t.Errorf("message: %v", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = NewDecoder([]byte{0xdd, 0xff, 0xff, 0xff, 0xff}).ReadAny()
	})
	if allocs > 4 {
		t.Errorf("a huge array claim made %v allocations", allocs)
	}
}

func TestStructHelpers(t *testing.T) {
	ada := Person{Name: "Ada", Age: 36, Email: strp("ada@example.com"), Tags: []string{"math", "poetry"}}
	b, err := Marshal(ada)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal[Person](b)
	if err != nil || !reflect.DeepEqual(back, ada) {
		t.Fatalf("%+v %v", back, err)
	}
	// Fields in any order, unknown fields (of any shape) skipped, missing optional field nil,
	// non-string keys skipped.
	var e Encoder
	e.Map(6).Key("extra").WriteAny(map[string]any{"deep": []any{int64(1), map[string]any{"x": nil}}})
	e.Str("name", "Bob").Key("tags").WriteAny([]string{})
	e.WriteInt(7)
	e.WriteString("int key")
	e.Uint32("age", 5).Key("more").WriteAny([]byte{1})
	p, err := Unmarshal[Person](e.Bytes())
	if err != nil || p.Name != "Bob" || p.Age != 5 || p.Email != nil || len(p.Tags) != 0 {
		t.Fatalf("%+v %v", p, err)
	}
	// Errors name the field and the element.
	e.Reset(nil)
	e.Map(1).Key("tags").WriteAny([]any{"a", int64(3)})
	_, err = Unmarshal[Person](e.Bytes())
	if err == nil || !strings.Contains(err.Error(), `field "tags": element 1: expected str, found int`) {
		t.Fatalf("error: %v", err)
	}
	var de *DecodeError
	if !errors.As(err, &de) || de.Offset == 0 {
		t.Fatalf("not a *DecodeError with an offset: %#v", err)
	}
	// Not a map.
	if _, err := Unmarshal[Person](unhex(t, "c0")); err == nil {
		t.Error("nil accepted as a struct")
	}
	// Trailing bytes are an error for Unmarshal.
	if _, err := Unmarshal[Person](append(b, 0xc0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("trailing bytes: %v", err)
	}
	// A user error from a field callback is wrapped with the field name and can be unwrapped.
	sentinel := errors.New("sentinel")
	err = NewDecoder(unhex(t, "81a161c0")).ReadFields(func(string) error { return sentinel })
	if !errors.Is(err, sentinel) || !strings.Contains(err.Error(), `field "a"`) {
		t.Errorf("callback error: %v", err)
	}
}

func TestEnums(t *testing.T) {
	for _, s := range []Shape{{Kind: "Unit"}, {Kind: "Circle", Radius: -2.5}, {Kind: "Rect", W: 1, H: 2},
		{Kind: "Pair", A: -7, B: 1 << 30}} {
		b, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Unmarshal[Shape](b)
		if err != nil || back != s {
			t.Errorf("%+v: %+v %v", s, back, err)
		}
	}
	for _, h := range []string{"a3466f6f", "82a4556e6974c0a4556e6974c0", "05", "81a6436972636c65a178"} {
		if _, err := Unmarshal[Shape](unhex(t, h)); err == nil {
			t.Errorf("%s accepted", h)
		}
	}
	if _, err := Marshal(Shape{Kind: "Nope"}); err == nil {
		t.Error("SetError from MarshalMsg lost")
	}
}

func TestGenericHelpers(t *testing.T) {
	// Slice and Map of user types, and nested generic containers.
	people := Slice[Person]{{Name: "a", Tags: []string{}}, {Name: "b", Age: 2, Tags: []string{"x"}}}
	b, err := Marshal(people)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal[Slice[Person]](b)
	if err != nil || !reflect.DeepEqual(back, people) {
		t.Fatalf("%+v %v", back, err)
	}
	hm := Map[[]uint32]{"b": {1, 2}, "a": {}, "c": nil}
	b, _ = Marshal(hm)
	if hx(b) != "83a16190a162920102a16390" {
		t.Fatalf("Map encoding %s", hx(b))
	}
	hm2, err := Unmarshal[Map[[]uint32]](b)
	if err != nil || len(hm2) != 3 || len(hm2["b"]) != 2 {
		t.Fatalf("%v %v", hm2, err)
	}
	// Optional values.
	var e Encoder
	EncodeOpt(&e, (*int64)(nil), (*Encoder).WriteInt)
	v := int64(-5)
	EncodeOpt(&e, &v, (*Encoder).WriteInt)
	if hx(e.Bytes()) != "c0fb" {
		t.Fatal(hx(e.Bytes()))
	}
	d := NewDecoder(e.Bytes())
	p1, err1 := DecodeOpt(d, (*Decoder).ReadInt64)
	p2, err2 := DecodeOpt(d, (*Decoder).ReadInt64)
	if p1 != nil || p2 == nil || *p2 != -5 || err1 != nil || err2 != nil {
		t.Fatal(p1, p2, err1, err2)
	}
	// Every built-in type of Decode round-trips through Marshal/Unmarshal.
	roundTrip(t, true)
	roundTrip(t, int(-1<<40))
	roundTrip(t, int8(-8))
	roundTrip(t, int16(-16))
	roundTrip(t, int32(-32))
	roundTrip(t, int64(-64))
	roundTrip(t, uint(1<<40))
	roundTrip(t, uint8(8))
	roundTrip(t, uint16(16))
	roundTrip(t, uint32(32))
	roundTrip(t, uint64(64))
	roundTrip(t, float32(0.5))
	roundTrip(t, 0.25)
	roundTrip(t, "s")
	roundTrip(t, []byte{1})
	roundTrip[any](t, map[string]any{"a": []any{int64(1)}})
	roundTrip(t, []any{"x", nil})
	roundTrip(t, map[string]any{"k": 1.5})
	roundTrip(t, map[any]any{int64(1): "one"})
	roundTrip(t, []string{"a", "b"})
	roundTrip(t, []bool{true})
	roundTrip(t, []int{-1})
	roundTrip(t, []int32{-1})
	roundTrip(t, []int64{-1})
	roundTrip(t, []uint{1})
	roundTrip(t, []uint16{1})
	roundTrip(t, []uint32{1})
	roundTrip(t, []uint64{1})
	roundTrip(t, []float32{1})
	roundTrip(t, []float64{1})
	roundTrip(t, [][]byte{{1}, {2, 3}})
	roundTrip(t, map[string]string{"a": "b"})
	roundTrip(t, map[string]bool{"a": true})
	roundTrip(t, map[string]int{"a": -1})
	roundTrip(t, map[string]int64{"a": -1})
	roundTrip(t, map[string]uint64{"a": 1})
	roundTrip(t, map[string]float64{"a": 1})
	roundTrip(t, strp("opt"))
	roundTrip(t, (*string)(nil))
	b1, i1, i2, i3, u1, u2, f1, f2 := true, 1, int32(2), int64(3), uint32(4), uint64(5), float32(6), 7.0
	roundTrip(t, &b1)
	roundTrip(t, &i1)
	roundTrip(t, &i2)
	roundTrip(t, &i3)
	roundTrip(t, &u1)
	roundTrip(t, &u2)
	roundTrip(t, &f1)
	roundTrip(t, &f2)
	roundTrip(t, Timestamp{Sec: 5, Nsec: 6})
	roundTrip(t, Raw{0x93, 0x01, 0x02, 0x03})
	roundTrip(t, Unit{})
	// Unsupported types are errors, not panics.
	if _, err := Marshal(make(chan int)); err == nil {
		t.Error("chan encoded")
	}
	if _, err := Unmarshal[chan int](unhex(t, "c0")); err == nil {
		t.Error("chan decoded")
	}
	if _, err := Marshal([]any{make(chan int)}); err == nil {
		t.Error("chan in []any encoded")
	}
	// A MarshalMsg on the pointer receiver is found too.
	b, err = Marshal(ptrMarshaler{5})
	if err != nil || hx(b) != "05" {
		t.Errorf("pointer-receiver Marshaler: %s %v", hx(b), err)
	}
	// Unit accepts nil and an empty array only.
	for h, ok := range map[string]bool{"c0": true, "90": true, "00": false, "a0": false} {
		if _, err := Unmarshal[Unit](unhex(t, h)); (err == nil) != ok {
			t.Errorf("Unit from %s: %v", h, err)
		}
	}
}

type ptrMarshaler struct{ v uint8 }

func (p *ptrMarshaler) MarshalMsg(e *Encoder) { e.WriteUint(uint64(p.v)) }

func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Errorf("%T: encode: %v", v, err)
		return
	}
	back, err := Unmarshal[T](b)
	if err != nil {
		t.Errorf("%T: decode %s: %v", v, hx(b), err)
		return
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("%T: %#v -> %s -> %#v", v, v, hx(b), back)
	}
}

func TestSkipMatchesReadAny(t *testing.T) {
	var e Encoder
	e.WriteAny([]any{map[string]any{"a": []byte{1}, "b": Timestamp{Sec: 1}}, Ext{Type: 3, Data: make([]byte, 300)},
		strings.Repeat("s", 300), float32(1), 2.0, int64(-1 << 40), nil, true})
	e.WriteString("next")
	d := NewDecoder(e.Bytes())
	if err := d.Skip(); err != nil {
		t.Fatal(err)
	}
	if s, err := d.ReadString(); s != "next" || err != nil {
		t.Fatal(s, err)
	}
	raw, err := NewDecoder(e.Bytes()).ReadRaw()
	if err != nil || len(raw) != len(e.Bytes())-5 {
		t.Fatal(len(raw), err)
	}
	if _, err := NewDecoder([]byte{0xc1}).ReadAny(); err == nil {
		t.Error("0xc1 accepted")
	}
	if err := NewDecoder([]byte{0xc1}).Skip(); err == nil {
		t.Error("0xc1 skipped")
	}
}

func TestVariantHelpers(t *testing.T) {
	var e Encoder
	e.UnitVariant("A")
	e.Variant("B").WriteInt(1)
	d := NewDecoder(e.Bytes())
	n, has, err := d.ReadVariant()
	if n != "A" || has || err != nil {
		t.Fatal(n, has, err)
	}
	n, has, err = d.ReadVariant()
	if n != "B" || !has || err != nil {
		t.Fatal(n, has, err)
	}
	if v, _ := d.ReadInt64(); v != 1 {
		t.Fatal(v)
	}
	if _, _, err := NewDecoder(unhex(t, "82a141c0a142c0")).ReadVariant(); err == nil {
		t.Error("2-entry map accepted as a variant")
	}
	if _, _, err := NewDecoder(unhex(t, "01")).ReadVariant(); err == nil {
		t.Error("int accepted as a variant")
	}
}

func TestKinds(t *testing.T) {
	for h, k := range map[string]Kind{"c0": KindNil, "c3": KindBool, "00": KindInt, "ff": KindInt,
		"d0ff": KindInt, "ca00000000": KindFloat, "a0": KindStr, "d900": KindStr, "c400": KindBin,
		"90": KindArray, "dc0000": KindArray, "80": KindMap, "de0000": KindMap, "d40100": KindExt,
		"c1": KindInvalid, "": KindInvalid} {
		if got := NewDecoder(unhex(t, h)).PeekKind(); got != k {
			t.Errorf("%s: %v, want %v", h, got, k)
		}
	}
	if KindMap.String() != "map" || Kind(99).String() == "" {
		t.Error("Kind.String")
	}
}
