package wabi

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// Issue 16, point 4: the encoder is deterministic and canonical, and refuses what a decoder
// would refuse, with errors that say where and what.

func encodeAny(v any) ([]byte, error) {
	var e Encoder
	e.WriteAny(v)
	return e.Bytes(), e.Err()
}

func TestAnyMapStringKeysInMapStringOrder(t *testing.T) {
	// The README promises the order of map[string]any (and of a Rust BTreeMap<String, _>): by the
	// bytes of the key, not by the bytes of its encoding (which would put shorter keys first).
	dyn, err := encodeAny(map[any]any{"b": int64(1), "aa": int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	typed, _ := encodeAny(map[string]any{"b": int64(1), "aa": int64(2)})
	if hx(dyn) != "82a2616102a16201" || !bytes.Equal(dyn, typed) {
		t.Fatalf("map[any]any %s, map[string]any %s, want 82a2616102a16201", hx(dyn), hx(typed))
	}
	// Random keys of every str header size (fixstr, str 8, str 16) and non-ASCII bytes.
	rng := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "b", "z", "é", "\u00ff", "\u4e2d", "\U0001f600", "\x00", "~"}
	for round := 0; round < 50; round++ {
		ms, ma := map[string]any{}, map[any]any{}
		for i := 0; i < 20; i++ {
			var sb strings.Builder
			for n := rng.Intn([]int{3, 40, 300}[rng.Intn(3)]); n > 0; n-- {
				sb.WriteString(alphabet[rng.Intn(len(alphabet))])
			}
			ms[sb.String()] = int64(i)
			ma[sb.String()] = int64(i)
		}
		a, err1 := encodeAny(ma)
		b, err2 := encodeAny(ms)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("round %d: map[any]any and map[string]any differ (%v %v)", round, err1, err2)
		}
	}
}

func TestAnyMapKeyOrderAcrossTypes(t *testing.T) {
	// One order for every key type: by type class (nil, bool, integers, float 32, float 64, str,
	// bin, array, map, ext: the order of rmpv::Value's variants), then by value within a class
	// (integers numerically, whatever their Go type; floats in IEEE 754 total order; strings and
	// bins by their bytes; timestamps chronologically).
	m := map[any]any{
		"a": 0, Timestamp{Sec: 2}: 0, time.Unix(1, 5): 0, 1.5: 0, float32(-2): 0,
		uint64(math.MaxUint64): 0, int64(3): 0, int8(-1): 0, int16(-200): 0, uint8(0): 0,
		int32(128): 0, uint16(127): 0, true: 0, false: 0, nil: 0, "": 0, "ab": 0, "b": 0,
		math.Inf(-1): 0, math.Inf(1): 0, float32(math.Inf(1)): 0,
	}
	var want Encoder
	want.WriteMapHeader(len(m))
	want.WriteNil()
	want.WriteBool(false)
	want.WriteBool(true)
	for _, i := range []int64{-200, -1, 0, 3, 127, 128} {
		want.WriteInt(i)
	}
	want.WriteUint(math.MaxUint64)
	want.WriteFloat32(-2)
	want.WriteFloat32(float32(math.Inf(1)))
	want.WriteFloat64(math.Inf(-1))
	want.WriteFloat64(1.5)
	want.WriteFloat64(math.Inf(1))
	want.WriteString("")
	want.WriteString("a")
	want.WriteString("ab")
	want.WriteString("b")
	want.WriteTimestamp(Timestamp{Sec: 1, Nsec: 5})
	want.WriteTimestamp(Timestamp{Sec: 2})
	// Each key is followed by its value, 0.
	var wantEntries []byte
	d := NewDecoder(want.Bytes())
	n, _ := d.ReadMapHeader()
	wantEntries = append(wantEntries, want.Bytes()[:d.Offset()]...)
	for i := 0; i < n; i++ {
		raw, err := d.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		wantEntries = append(append(wantEntries, raw...), 0)
	}
	for run := 0; run < 20; run++ {
		got, err := encodeAny(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantEntries) {
			t.Fatalf("got  %s\nwant %s", hx(got), hx(wantEntries))
		}
	}
}

func TestAnyMapKeysThatAreTuples(t *testing.T) {
	// A key written by a Marshaler as an array (a Rust tuple key) orders element by element, as
	// Rust orders (i32, i32): (1, -1) before (1, 5), which their encodings would not give.
	m := map[any]any{pairKey{1, 5}: "b", pairKey{1, -1}: "a", pairKey{0, 300}: "0"}
	got, err := encodeAny(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := "83" + "9200cd012c" + "a130" + "9201ff" + "a161" + "920105" + "a162"; hx(got) != want {
		t.Fatalf("got %s, want %s", hx(got), want)
	}
}

type pairKey struct{ a, b int32 }

func (p pairKey) MarshalMsg(e *Encoder) {
	e.WriteArrayHeader(2)
	e.WriteInt(int64(p.a))
	e.WriteInt(int64(p.b))
}

func TestAnyMapNaNKeys(t *testing.T) {
	// NaN keys are ordered by IEEE 754 total order (the bits): negative NaNs before -Inf,
	// positive NaNs after +Inf, by payload. The output is the same on every run.
	nan1 := math.Float64frombits(0x7ff8000000000001)
	nan2 := math.Float64frombits(0x7ff8000000000002)
	negNaN := math.Float64frombits(0xfff8000000000000)
	var first []byte
	for run := 0; run < 50; run++ {
		m := map[any]any{nan2: "n2", 1.0: "one", negNaN: "-n", nan1: "n1", math.Inf(-1): "-inf"}
		got, err := encodeAny(m)
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = got
			var want Encoder
			want.WriteMapHeader(5)
			for _, kv := range []struct {
				k float64
				v string
			}{{negNaN, "-n"}, {math.Inf(-1), "-inf"}, {1, "one"}, {nan1, "n1"}, {nan2, "n2"}} {
				want.WriteFloat64(kv.k)
				want.WriteString(kv.v)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("got %s, want %s", hx(got), hx(want.Bytes()))
			}
		} else if !bytes.Equal(got, first) {
			t.Fatalf("run %d: %s, first run %s", run, hx(got), hx(first))
		}
	}
	// A Go map can hold two NaN keys with the same bits (NaN != NaN); they encode the same, so
	// they are duplicates, whose order would depend on the map's iteration order.
	m := map[any]any{}
	m[math.NaN()] = "a"
	m[math.NaN()] = "b"
	if len(m) != 2 {
		t.Fatal("expected two NaN entries")
	}
	_, err := encodeAny(m)
	if err == nil || !strings.Contains(err.Error(), "duplicate map key NaN") {
		t.Fatalf("two NaN keys: %v", err)
	}
	// Same for float32 NaNs, and in a map[string]any value.
	m32 := map[any]any{}
	m32[float32(math.NaN())] = 1
	m32[float32(math.NaN())] = 2
	if _, err := encodeAny(map[string]any{"k": m32}); err == nil || !strings.Contains(err.Error(), `$["k"]: duplicate map key NaN`) {
		t.Fatalf("two float32 NaN keys: %v", err)
	}
}

func TestAnyMapDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		m    map[any]any
		want string
	}{
		{map[any]any{int8(1): "a", int64(1): "b"}, "duplicate map key 1 (int64 and int8 encode the same)"},
		{map[any]any{1: "a", uint(1): "b"}, "duplicate map key 1 (int and uint encode the same)"},
		{map[any]any{uint64(300): "a", int16(300): "b", "x": 1}, "duplicate map key 300 (int16 and uint64 encode the same)"},
		{map[any]any{int32(-5): "a", int(-5): "b"}, "duplicate map key -5 (int and int32 encode the same)"},
		{map[any]any{Timestamp{Sec: 7}: 1, time.Unix(7, 0): 2}, "(time.Time and wabi.Timestamp encode the same)"},
		{map[any]any{time.Unix(7, 0): 1, time.Unix(7, 0).In(time.FixedZone("X", 3600)): 2}, "(time.Time and time.Time encode the same)"},
	} {
		for run := 0; run < 5; run++ {
			_, err := encodeAny(c.m)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v: %v, want %q", c.m, err, c.want)
			}
		}
	}
	// Distinct encodings are distinct keys: 1 (int) and 1.0 (float 64), float32(1) and 1.0.
	if _, err := encodeAny(map[any]any{1: 0, 1.0: 0, float32(1): 0, "1": 0}); err != nil {
		t.Fatal(err)
	}
}

func TestEncoderDepthLimit(t *testing.T) {
	nestArrays := func(n int) any {
		var v any = "leaf"
		for i := 0; i < n; i++ {
			v = []any{v}
		}
		return v
	}
	nestMaps := func(n int) any {
		var v any = int64(1)
		for i := 0; i < n; i++ {
			v = map[string]any{"k": v}
		}
		return v
	}
	nestAnyMaps := func(n int) any {
		var v any = int64(1)
		for i := 0; i < n; i++ {
			v = map[any]any{int64(i): v}
		}
		return v
	}
	for name, nest := range map[string]func(int) any{"[]any": nestArrays, "map[string]any": nestMaps, "map[any]any": nestAnyMaps} {
		// As deep as a decoder accepts: encodes, and decodes back.
		b, err := encodeAny(nest(MaxDepth))
		if err != nil {
			t.Fatalf("%s: %d levels: %v", name, MaxDepth, err)
		}
		if _, err := NewDecoder(b).ReadAny(); err != nil {
			t.Fatalf("%s: %d levels do not decode: %v", name, MaxDepth, err)
		}
		// One more: refused, as the decoder would refuse it.
		_, err = encodeAny(nest(MaxDepth + 1))
		if err == nil || !strings.Contains(err.Error(), "nesting deeper than 128") {
			t.Fatalf("%s: %d levels: %v", name, MaxDepth+1, err)
		}
	}
	// The path of the level that is too deep.
	_, err := encodeAny(nestArrays(MaxDepth + 1))
	if err == nil || !strings.Contains(err.Error(), "$"+strings.Repeat("[0]", MaxDepth)+": ") {
		t.Fatalf("path: %v", err)
	}
	// A cycle is an error, not a stack overflow.
	cyc := []any{nil}
	cyc[0] = cyc
	if _, err := encodeAny(cyc); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("cyclic []any: %v", err)
	}
	self := map[string]any{}
	self["self"] = self
	if _, err := encodeAny(self); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("cyclic map: %v", err)
	}
	// The generic helpers count too: a recursive type written with EncodeSlice or Slice.
	deep := encTree{}
	for i := 0; i < MaxDepth; i++ {
		deep = encTree{deep}
	}
	if _, err := Marshal(deep); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("recursive type, %d levels: %v", MaxDepth+1, err)
	}
	if _, err := Marshal(deep[0]); err != nil {
		t.Fatalf("recursive type, %d levels: %v", MaxDepth, err)
	}
	var s any = Slice[any]{}
	for i := 0; i < MaxDepth; i++ {
		s = Slice[any]{s}
	}
	if _, err := Marshal(s); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("nested Slice: %v", err)
	}
	// The encoder is usable again after Reset.
	var e Encoder
	e.WriteAny(cyc)
	e.Reset(nil)
	e.WriteAny([]any{int64(1)})
	if e.Err() != nil || hx(e.Bytes()) != "9101" {
		t.Fatalf("after Reset: %s %v", hx(e.Bytes()), e.Err())
	}
}

// encTree is a recursive type written with EncodeSlice.
type encTree []encTree

func (t encTree) MarshalMsg(e *Encoder) {
	EncodeSlice(e, t, func(e *Encoder, c encTree) { c.MarshalMsg(e) })
}

func TestEncoderRefusesInvalidUTF8(t *testing.T) {
	// A decoder refuses a str that is not UTF-8 (ABI section 8; the Rust decoder does too for a
	// String), so the encoder does not write one.
	for _, c := range []struct {
		name  string
		write func(e *Encoder)
		path  string
	}{
		{"WriteString", func(e *Encoder) { e.WriteString("ok\xff") }, ""},
		{"WriteAny", func(e *Encoder) { e.WriteAny("\xc3") }, ""},
		{"map key", func(e *Encoder) { e.WriteAny(map[string]any{"a": 1, "b\xff": 2}) }, `$["b\xff"]`},
		{"map value", func(e *Encoder) { e.WriteAny(map[string]string{"a": "\xed\xa0\x80"}) }, `$["a"]`},
		{"element", func(e *Encoder) { e.WriteAny([]string{"ok", "\x80"}) }, `$[1]`},
		{"field", func(e *Encoder) { e.Map(2).Str("name", "x").Str("k", "\xfe") }, `$.k`},
		{"field name", func(e *Encoder) { e.Map(1).Str("k\xfe", "x") }, `$["k\xfe"]`},
		{"any key", func(e *Encoder) { e.WriteAny(map[any]any{int64(1): 0, "\xff": 0}) }, `$["\xff"]`},
		{"pointer", func(e *Encoder) { s := "\xff"; e.WriteAny(&s) }, ""},
	} {
		var e Encoder
		c.write(&e)
		err := e.Err()
		if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.path != "" && !strings.Contains(err.Error(), c.path+": ") {
			t.Errorf("%s: %v, want the path %s", c.name, err, c.path)
		}
	}
	// Valid UTF-8, including the empty string and 4-byte sequences, is fine.
	if b, err := encodeAny([]any{"", "héllo", "\U0001f600"}); err != nil || hx(b) != "93a0a668c3a96c6c6fa4f09f9880" {
		t.Fatal(hx(b), err)
	}
}

func TestEncodeErrorsNamePathAndType(t *testing.T) {
	var e Encoder
	e.Map(2).Str("method", "GET").Any("headers", map[string]any{
		"a": "fine",
		"x": []any{int64(1), int64(2), make(chan int)},
	})
	err := e.Err()
	var ee *EncodeError
	if !errors.As(err, &ee) {
		t.Fatalf("%T %v", err, err)
	}
	if ee.Path != `.headers["x"][2]` || ee.Type != "chan int" {
		t.Fatalf("path %q type %q (%v)", ee.Path, ee.Type, err)
	}
	if want := `msgpack encode: $.headers["x"][2]: unsupported Go type chan int (implement wabi.Marshaler)`; err.Error() != want {
		t.Fatalf("message\n got %s\nwant %s", err, want)
	}
	// Paths through map[any]any keys, Slice, Map and EncodeMap, with the type names.
	for _, c := range []struct {
		v    any
		want string
	}{
		{map[any]any{int64(-3): []any{true, struct{ x int }{}}}, `$[-3][1]: unsupported Go type struct { x int }`},
		{[]any{map[string]int32{"a": 1}}, `$[0]: unsupported Go type map[string]int32`},
		{Slice[any]{nil, unsupportedThing{}}, `$[1]: unsupported Go type wabi.unsupportedThing`},
		{Map[any]{"k\"q": []int8{1}}, `$["k\"q"]: unsupported Go type []int8`},
		{map[any]any{unsupportedThing{}: 1}, `$: unsupported Go type wabi.unsupportedThing as a map key`},
		{map[any]any{true: map[string]any{"z": complex(1, 2)}}, `$[true]["z"]: unsupported Go type complex128`},
		{[]any{failing{}}, `$[0]: no way`},
	} {
		_, err := Marshal[any](c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v\n got %v\nwant ...%s", c.v, err, c.want)
		}
	}
	// An error a MarshalMsg recorded stays reachable through errors.Is.
	_, err = Marshal[any]([]any{failing{}})
	if !errors.Is(err, errNoWay) {
		t.Errorf("errors.Is: %v", err)
	}
}

type unsupportedThing struct{}

var errNoWay = errors.New("no way")

type failing struct{}

func (failing) MarshalMsg(e *Encoder) { e.SetError(errNoWay) }
