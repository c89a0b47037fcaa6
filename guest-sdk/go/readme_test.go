package wabi

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The examples of README.md's "Nested types" and "128-bit integers", as they are written there.

// index is fn index(words: Vec<String>) -> BTreeMap<String, Vec<String>>.
func indexExport(ptr, size uint32) uint64 {
	return Export1(ptr, size, func(words []string) (Map[[]string], error) {
		out := Map[[]string]{}
		for _, w := range words {
			k := strings.ToLower(w[:1])
			out[k] = append(out[k], w)
		}
		return out, nil
	})
}

// merge is fn merge(a: HashMap<String, Vec<String>>, b: HashMap<String, Vec<String>>) -> the same.
func mergeExport(ptr, size uint32) uint64 {
	return Export2(ptr, size, func(a, b Map[[]string]) (Map[[]string], error) {
		m := map[string][]string(a) // a conversion, no copy
		for k, v := range b {
			m[k] = append(m[k], v...)
		}
		return m, nil
	})
}

// headersRequest is struct Request { headers: BTreeMap<String, Vec<String>>, matrix: Vec<Vec<u32>> }.
type headersRequest struct {
	Headers map[string][]string
	Matrix  [][]uint32
}

func (r headersRequest) MarshalMsg(e *Encoder) {
	e.Map(2).Key("headers")
	EncodeMap(e, r.Headers, func(e *Encoder, v []string) {
		EncodeSlice(e, v, (*Encoder).WriteString)
	})
	e.Value("matrix", Slice[[]uint32](r.Matrix)) // Value, unlike Key, puts .matrix in error paths
}

func (r *headersRequest) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "headers":
			r.Headers, err = DecodeMap(d, func(d *Decoder) ([]string, error) {
				return DecodeSlice(d, (*Decoder).ReadString)
			})
		case "matrix":
			var m Slice[[]uint32]
			err = m.UnmarshalMsg(d)
			r.Matrix = m
		}
		return err
	})
}

// writeI128 writes a Rust i128 (hi: the top 64 bits) as the Rust codec does: a bin of 16
// big-endian bytes.
func writeI128(e *Encoder, hi int64, lo uint64) {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(hi))
	binary.BigEndian.PutUint64(b[8:], lo)
	e.WriteBin(b[:])
}

func readI128(d *Decoder) (hi int64, lo uint64, err error) {
	b, err := d.ReadBytes()
	if err == nil && len(b) != 16 {
		err = errors.New("an i128 is 16 bytes")
	}
	if err != nil {
		return 0, 0, err
	}
	return int64(binary.BigEndian.Uint64(b[:8])), binary.BigEndian.Uint64(b[8:]), nil
}

func TestReadmeNestedTypes(t *testing.T) {
	in, _ := Marshal([]string{"Apple", "avocado", "Banana"})
	env := call(t, indexExport, in)
	if env.status != statusOk {
		t.Fatal(env.message)
	}
	got, err := Unmarshal[map[string]any](env.body)
	want := map[string]any{"a": []any{"Apple", "avocado"}, "b": []any{"Banana"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v %v", got, err)
	}
	// {"a": ["1"]} and {"a": ["2"], "b": []}
	var args Encoder
	args.WriteArrayHeader(2)
	args.WriteAny(map[string]any{"a": []any{"1"}})
	args.WriteAny(map[string]any{"a": []any{"2"}, "b": []any{}})
	env = call(t, mergeExport, args.Bytes())
	if env.status != statusOk || hx(env.body) != "82a16192a131a132a16290" {
		t.Fatalf("%d %s %s", env.status, env.message, hx(env.body))
	}
	r := headersRequest{Headers: map[string][]string{"accept": {"a", "b"}}, Matrix: [][]uint32{{1}, {}}}
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal[headersRequest](b)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("%+v %v", back, err)
	}
}

func TestReadmeInt128(t *testing.T) {
	var e Encoder
	writeI128(&e, -1, 1<<64-2) // -2
	if hx(e.Bytes()) != "c410fffffffffffffffffffffffffffffffe" {
		t.Fatal(hx(e.Bytes()))
	}
	hi, lo, err := readI128(NewDecoder(e.Bytes()))
	if err != nil || hi != -1 || lo != 1<<64-2 {
		t.Fatal(hi, lo, err)
	}
	if _, _, err := readI128(NewDecoder([]byte{0x01})); err == nil {
		t.Fatal("an int accepted as 16 bytes")
	}
}
