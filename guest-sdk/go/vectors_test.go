package wabi

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"testing"
)

// The golden vectors of ABI.md section 11: every value must be reproduced byte for byte from an
// equivalent Go value and decode back to it.

const vectorsDir = "../../abi-spec/vectors/"

type goldenValue struct {
	Name     string          `json:"name"`
	RustType string          `json:"rust_type"`
	Hex      string          `json:"hex"`
	Value    json.RawMessage `json:"value"`
}

func loadValues(t testing.TB) []goldenValue {
	t.Helper()
	raw, err := os.ReadFile(vectorsDir + "values.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []goldenValue `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return doc.Vectors
}

// vectorCase encodes a typed Go value and decodes bytes back into the same type.
type vectorCase struct {
	value  any
	encode func() ([]byte, error)
	decode func([]byte) (any, error)
}

func vc[T any](v T) vectorCase {
	return vectorCase{
		value:  v,
		encode: func() ([]byte, error) { return Marshal(v) },
		decode: func(b []byte) (any, error) { return Unmarshal[T](b) },
	}
}

// tuple3 is the Rust tuple (i8, u16, String): an array, written by hand.
type tuple3 struct {
	A int8
	B uint16
	C string
}

func (t tuple3) MarshalMsg(e *Encoder) {
	e.WriteArrayHeader(3)
	e.WriteInt(int64(t.A))
	e.WriteUint(uint64(t.B))
	e.WriteString(t.C)
}

func (t *tuple3) UnmarshalMsg(d *Decoder) (err error) {
	n, err := d.ReadArrayHeader()
	if err != nil {
		return err
	}
	if n != 3 {
		return errors.New("expected 3 elements")
	}
	if t.A, err = d.ReadInt8(); err != nil {
		return err
	}
	if t.B, err = d.ReadUint16(); err != nil {
		return err
	}
	t.C, err = d.ReadString()
	return err
}

// argList is an argument list written by the argument-list rule with the low-level encoder.
func argList(values ...any) vectorCase {
	return vectorCase{
		value: values,
		encode: func() ([]byte, error) {
			var e Encoder
			switch len(values) {
			case 0:
			case 1:
				e.WriteAny(values[0])
			default:
				e.WriteArrayHeader(len(values))
				for _, v := range values {
					e.WriteAny(v)
				}
			}
			return e.Bytes(), e.Err()
		},
	}
}

func goldenCases() map[string]vectorCase {
	sixteen := Map[uint8]{}
	for i := 0; i < 16; i++ {
		k := strconv.Itoa(i)
		if i < 10 {
			k = "0" + k
		}
		sixteen["k"+k] = uint8(i)
	}
	vec16 := make([]uint16, 16)
	for i := range vec16 {
		vec16[i] = uint16(i)
	}
	return map[string]vectorCase{
		"unit":           vc(Unit{}),
		"true":           vc(true),
		"false":          vc(false),
		"u8_0":           vc(uint8(0)),
		"u8_127":         vc(uint8(127)),
		"u8_128":         vc(uint8(128)),
		"u16_256":        vc(uint16(256)),
		"u32_65536":      vc(uint32(65536)),
		"u64_4294967296": vc(uint64(4294967296)),
		"u64_max":        vc(uint64(18446744073709551615)),
		"u64_small":      vc(uint64(5)),
		"i8_-1":          vc(int8(-1)),
		"i8_-32":         vc(int8(-32)),
		"i8_-33":         vc(int8(-33)),
		"i16_-129":       vc(int16(-129)),
		"i32_-40000":     vc(int32(-40000)),
		"i64_min":        vc(int64(-9223372036854775808)),
		"i32_200":        vc(int32(200)),
		"f32_1.5":        vc(float32(1.5)),
		"f64_-0.1":       vc(-0.1),
		"str_empty":      vc(""),
		"str_hello":      vc("hello"),
		"str_unicode":    vc("héllo ✓ 日本 🦀"),
		"str_32":         vc("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		"bytes_empty":    vc([]byte{}),
		"bytes_3":        vc([]byte{1, 2, 3}),
		"option_none":    vc((*string)(nil)),
		"option_some":    vc(strp("x")),
		"vec_u32":        vc([]uint32{1, 2, 300}),
		"vec_16":         vc(vec16),
		"nested":         vc(Slice[Slice[[]uint32]]{{{1}, {}}, {{2, 3}}}),
		"map":            vc(map[string]int64{"a": 1, "b": -2}),
		"map_16":         vc(sixteen),
		"struct_person":  vc(Person{Name: "Ada", Age: 36, Tags: []string{"math"}}),
		"enum_unit":      vc(Shape{Kind: "Unit"}),
		"enum_newtype":   vc(Shape{Kind: "Circle", Radius: 1.5}),
		"enum_struct":    vc(Shape{Kind: "Rect", W: 2, H: 3}),
		"enum_tuple":     vc(Shape{Kind: "Pair", A: 1, B: 2}),
		"tuple":          vc(tuple3{A: -1, B: 1000, C: "z"}),
		"request": vc(Request{Method: "GET", Path: "/", Headers: map[string]string{"host": "example.com"},
			Body: []byte("hi")}),
		"args_0": argList(),
		"args_1": argList("hi"),
		"args_3": argList(uint8(1), "two", true),
		"args_8": argList(int8(-1), int16(-2), int32(-3), int64(-4), uint8(1), uint16(2), uint32(3), uint64(4)),
	}
}

func TestGoldenValues(t *testing.T) {
	cases := goldenCases()
	seen := map[string]bool{}
	for _, g := range loadValues(t) {
		g := g
		t.Run(g.Name, func(t *testing.T) {
			seen[g.Name] = true
			c, ok := cases[g.Name]
			if !ok {
				t.Fatalf("no Go value for vector %q (%s): add one to goldenCases", g.Name, g.RustType)
			}
			want := unhex(t, g.Hex)
			got, err := c.encode()
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding of %#v\n got %s\nwant %s", c.value, hx(got), g.Hex)
			}
			if c.decode != nil {
				back, err := c.decode(want)
				if err != nil {
					t.Fatalf("decode %s: %v", g.Hex, err)
				}
				if !reflect.DeepEqual(back, c.value) {
					t.Fatalf("decode %s\n got %#v\nwant %#v", g.Hex, back, c.value)
				}
			}
			// The dynamic decoder agrees with the JSON description of the value.
			var j any
			dec := json.NewDecoder(bytes.NewReader(g.Value))
			dec.UseNumber()
			if err := dec.Decode(&j); err != nil {
				t.Fatal(err)
			}
			d := NewDecoder(want)
			if list, isArgs := j.([]any); isArgs && len(g.Name) > 5 && g.Name[:5] == "args_" {
				switch len(list) {
				case 0:
					if len(want) != 0 {
						t.Fatal("zero arguments must be an empty input")
					}
					return
				case 1:
					j = list[0]
				}
			}
			dyn, err := d.ReadAny()
			if err != nil {
				t.Fatalf("ReadAny: %v", err)
			}
			if err := d.End(); err != nil {
				t.Fatal(err)
			}
			if !jsonEquiv(dyn, j) {
				t.Fatalf("ReadAny gave %#v, the vector says %s", dyn, g.Value)
			}
			// Skipping consumes exactly the value.
			d = NewDecoder(want)
			if err := d.Skip(); err != nil || d.Remaining() != 0 {
				t.Fatalf("Skip: %v, %d left", err, d.Remaining())
			}
			// Every strict prefix is an error, never a panic.
			for i := 0; i < len(want); i++ {
				if _, err := NewDecoder(want[:i]).ReadAny(); err == nil {
					t.Fatalf("prefix of %d bytes decoded without error", i)
				}
			}
		})
	}
	for name := range cases {
		if !seen[name] {
			t.Errorf("case %q is not in values.json", name)
		}
	}
}

// jsonEquiv compares a dynamic value with the JSON of a vector ({"bin": HEX} is a byte string).
func jsonEquiv(v any, j any) bool {
	switch jv := j.(type) {
	case nil:
		return v == nil
	case bool:
		b, ok := v.(bool)
		return ok && b == jv
	case string:
		s, ok := v.(string)
		return ok && s == jv
	case json.Number:
		switch x := v.(type) {
		case int64:
			return jv.String() == strconv.FormatInt(x, 10)
		case uint64:
			return jv.String() == strconv.FormatUint(x, 10)
		case float32:
			f, err := jv.Float64()
			return err == nil && float32(f) == x
		case float64:
			f, err := jv.Float64()
			return err == nil && f == x
		}
		return false
	case []any:
		a, ok := v.([]any)
		if !ok || len(a) != len(jv) {
			return false
		}
		for i := range a {
			if !jsonEquiv(a[i], jv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		if h, isBin := jv["bin"].(string); isBin && len(jv) == 1 {
			if a, ok := v.([]any); ok && len(a) == 0 && h == "" {
				return true // the Rust encoder writes empty bytes as an empty array
			}
			b, ok := v.([]byte)
			return ok && hx(b) == h
		}
		m, ok := v.(map[string]any)
		if !ok || len(m) != len(jv) {
			return false
		}
		for k, jel := range jv {
			el, ok := m[k]
			if !ok || !jsonEquiv(el, jel) {
				return false
			}
		}
		return true
	}
	return false
}

func TestGoldenArgumentLists(t *testing.T) {
	// args_3 and args_8 decode through the export helpers exactly as a host sends them.
	e3 := func(ptr, size uint32) uint64 {
		return Export3(ptr, size, func(a uint8, b string, c bool) ([]any, error) { return []any{a, b, c}, nil })
	}
	env := call(t, e3, unhex(t, "9301a374776fc3"))
	if env.status != statusOk || hx(env.body) != "9301a374776fc3" {
		t.Fatalf("args_3: %+v", env)
	}
	e8 := func(ptr, size uint32) uint64 {
		return Export8(ptr, size, func(a int8, b int16, c int32, d int64, e uint8, f uint16, g uint32, h uint64) ([]any, error) {
			return []any{a, b, c, d, e, f, g, h}, nil
		})
	}
	env = call(t, e8, unhex(t, "98fffefdfc01020304"))
	if env.status != statusOk || hx(env.body) != "98fffefdfc01020304" {
		t.Fatalf("args_8: %+v", env)
	}
	e1 := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(s string) (string, error) { return s, nil })
	}
	if env = call(t, e1, unhex(t, "a26869")); env.status != statusOk || hx(env.body) != "a26869" {
		t.Fatalf("args_1: %+v", env)
	}
	e0 := func(ptr, size uint32) uint64 {
		return Export0(ptr, size, func() (Unit, error) { return Unit{}, nil })
	}
	if env = call(t, e0, nil); env.status != statusOk || hx(env.body) != "c0" {
		t.Fatalf("args_0: %+v", env)
	}
}

func TestGoldenEnvelopes(t *testing.T) {
	raw, err := os.ReadFile(vectorsDir + "envelopes.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Envelopes []struct {
			Name string `json:"name"`
			Hex  string `json:"hex"`
		} `json:"envelopes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	rawCall := func(export func(ptr, size uint32) uint64) []byte {
		call(t, export, nil)
		return append([]byte{}, outBuf...)
	}
	builders := map[string][]func() []byte{
		"ok": {func() []byte {
			return rawCall(func(p, s uint32) uint64 { return Export0(p, s, func() (string, error) { return "hi", nil }) })
		}},
		"ok_unit": {func() []byte {
			return rawCall(func(p, s uint32) uint64 { return Export0(p, s, func() (Unit, error) { return Unit{}, nil }) })
		}},
		"error": {func() []byte {
			return rawCall(func(p, s uint32) uint64 {
				return Export0(p, s, func() (Unit, error) { return Unit{}, errors.New("bad") })
			})
		}, func() []byte { return errorEnvelope(nil, "bad", nil) }},
		"error_value": {func() []byte {
			return rawCall(func(p, s uint32) uint64 {
				return Export0(p, s, func() (Unit, error) { return Unit{}, &AppError{Code: 42, Reason: "x"} })
			})
		}},
		"panic": {func() []byte { return panicEnvelope(nil, "boom", "src/lib.rs", 10, 5) }},
		"bad_arguments": {func() []byte {
			return rawCall(func(p, s uint32) uint64 {
				return Export0(p, s, func() (Unit, error) { return Unit{}, BadArguments("expected 2 arguments") })
			})
		}, func() []byte { return messageEnvelope(nil, statusBadArguments, "expected 2 arguments") }},
		"bad_result": {func() []byte { return messageEnvelope(nil, statusBadResult, "cannot encode") }},
	}
	if len(doc.Envelopes) != len(builders) {
		t.Errorf("%d envelopes in the file, %d here", len(doc.Envelopes), len(builders))
	}
	for _, g := range doc.Envelopes {
		bs, ok := builders[g.Name]
		if !ok {
			t.Errorf("no builder for envelope %q", g.Name)
			continue
		}
		for i, b := range bs {
			if got := hx(b()); got != g.Hex {
				t.Errorf("%s (builder %d):\n got %s\nwant %s", g.Name, i, got, g.Hex)
			}
		}
		parseEnvelope(t, unhex(t, g.Hex))
	}
}
