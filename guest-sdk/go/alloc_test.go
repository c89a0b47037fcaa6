package wabi

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
	"unsafe"
)

// Issue 16, point 5: what a decoder allocates is bounded by the input, not by the lengths the
// input claims, and typed slices do not box their elements.

// record is struct Record { id: u64, name: String, score: f64, active: bool, tags: Vec<String> }.
type record struct {
	ID     uint64
	Name   string
	Score  float64
	Active bool
	Tags   []string
}

func (r record) MarshalMsg(e *Encoder) {
	e.Map(5).Uint64("id", r.ID).Str("name", r.Name).Float64("score", r.Score).Bool("active", r.Active).Key("tags")
	EncodeSlice(e, r.Tags, (*Encoder).WriteString)
}

func (r *record) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "id":
			r.ID, err = d.ReadUint64()
		case "name":
			r.Name, err = d.ReadString()
		case "score":
			r.Score, err = d.ReadFloat64()
		case "active":
			r.Active, err = d.ReadBool()
		case "tags":
			r.Tags, err = DecodeSlice(d, (*Decoder).ReadString)
		}
		return err
	})
}

// nestedClaims is the input of the report: 127 nested maps (or arrays) that each claim 1,024
// entries, with enough bytes after them (4.6 KB in all) for every claim to pass the length
// check, but which stop after the first entry.
func nestedClaims(arrays bool) []byte {
	var b []byte
	for i := 0; i < 127; i++ {
		if arrays {
			b = append(b, 0xdc, 0x04, 0x00)
		} else {
			b = append(b, 0xde, 0x04, 0x00, 0xa1, 'k')
		}
	}
	b = append(b, 0xc0)
	return append(b, bytes.Repeat([]byte{0xc1}, 4600-len(b))...)
}

// recordsInput is about 1 MiB: an array of records, either realistic ones or empty maps (each
// decodes to a zero record: 1 byte of input for 64 bytes of result, the worst ratio).
func recordsInput(empty bool) (in []byte, n int) {
	const size = 1 << 20
	var body Encoder
	for body.Len() < size-8 {
		if empty {
			body.WriteMapHeader(0)
		} else {
			record{ID: uint64(n) * 7919, Name: "record " + strconv.Itoa(n), Score: float64(n) / 3,
				Active: n%2 == 0, Tags: []string{"a", "bb"}}.MarshalMsg(&body)
		}
		n++
	}
	var e Encoder
	e.WriteArrayHeader(n)
	return append(e.Bytes(), body.Bytes()...), n
}

// allocated returns the bytes and the number of allocations f made.
func allocated(f func()) (bytes, count uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs
}

func TestNestedClaimsAllocateLittle(t *testing.T) {
	const limit = 64 << 10
	for _, arrays := range []bool{false, true} {
		in := nestedClaims(arrays)
		for name, read := range map[string]func(*Decoder) error{
			"ReadAny":         func(d *Decoder) error { _, err := d.ReadAny(); return err },
			"Decode[any]":     func(d *Decoder) error { _, err := Decode[any](d); return err },
			"map[string]any":  func(d *Decoder) error { _, err := Decode[map[string]any](d); return err },
			"map[any]any":     func(d *Decoder) error { _, err := Decode[map[any]any](d); return err },
			"[]any":           func(d *Decoder) error { _, err := Decode[[]any](d); return err },
			"tree (typed)":    func(d *Decoder) error { _, err := Decode[tree](d); return err },
			"Slice[Slice[..]": func(d *Decoder) error { _, err := Decode[Slice[Slice[[]any]]](d); return err },
		} {
			var err error
			got, _ := allocated(func() { err = read(NewDecoder(in)) })
			if err == nil {
				t.Fatalf("%s accepted the input", name)
			}
			if got > limit {
				t.Errorf("%s, %d-byte input of nested claims (arrays %v): %d bytes allocated, limit %d",
					name, len(in), arrays, got, limit)
			}
		}
	}
}

func TestTypedSliceAllocatesLikeItsResult(t *testing.T) {
	for _, empty := range []bool{false, true} {
		in, n := recordsInput(empty)
		var out Slice[record]
		var err error
		total, count := allocated(func() { out, err = Unmarshal[Slice[record]](in) })
		if err != nil || len(out) != n {
			t.Fatalf("%d records of %d: %v", len(out), n, err)
		}
		// The result: the array and what its records hold.
		result := uint64(cap(out)) * uint64(unsafe.Sizeof(record{}))
		var strings uint64
		for _, r := range out {
			result += uint64(len(r.Name)) + uint64(cap(r.Tags))*uint64(unsafe.Sizeof(""))
			for _, s := range r.Tags {
				result += uint64(len(s))
			}
			if r.Name != "" {
				strings++
			}
			if r.Tags != nil {
				strings += 1 + uint64(len(r.Tags))
			}
		}
		if total > result*5/2 {
			t.Errorf("empty %v: %d records, %d bytes of result, %d bytes allocated (%.1fx)",
				empty, n, result, total, float64(total)/float64(result))
		}
		// No allocation per record beyond the strings and tag slices it holds.
		if count > strings+64 {
			t.Errorf("empty %v: %d allocations for %d records holding %d strings and slices",
				empty, count, n, strings)
		}
	}
}

func TestTypedMapDoesNotBoxValues(t *testing.T) {
	m := Map[record]{}
	for i := 0; i < 1000; i++ {
		m["k"+strconv.Itoa(i)] = record{ID: uint64(i)}
	}
	in, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Map[record]
	allocs := testing.AllocsPerRun(5, func() { back, err = Unmarshal[Map[record]](in) })
	if err != nil || len(back) != 1000 || back["k999"].ID != 999 {
		t.Fatal(err, len(back))
	}
	// One allocation per key (the string), and the map itself.
	if allocs > 1000+64 {
		t.Errorf("%v allocations for 1000 entries", allocs)
	}
}

func TestTypedSliceEncodingDoesNotBoxElements(t *testing.T) {
	s := make(Slice[record], 1000)
	var e Encoder
	e.Reset(make([]byte, 0, 1<<20))
	allocs := testing.AllocsPerRun(5, func() {
		e.Reset(e.Bytes()[:0])
		e.Write(s)
	})
	if e.Err() != nil || allocs > 4 {
		t.Errorf("%v allocations to encode 1000 records (%v)", allocs, e.Err())
	}
}

func BenchmarkDecodeNestedMapClaims(b *testing.B) {
	in := nestedClaims(false)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := NewDecoder(in).ReadAny(); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkDecodeNestedArrayClaims(b *testing.B) {
	in := nestedClaims(true)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := NewDecoder(in).ReadAny(); err == nil {
			b.Fatal("accepted")
		}
	}
}

func benchmarkRecords(b *testing.B, empty bool) {
	in, n := recordsInput(empty)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := Unmarshal[Slice[record]](in)
		if err != nil || len(out) != n {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSliceOfRecords decodes 1 MiB of realistic records (about 22,000).
func BenchmarkDecodeSliceOfRecords(b *testing.B) { benchmarkRecords(b, false) }

// BenchmarkDecodeSliceOfEmptyRecords decodes 1 MiB of empty maps as records (about a million).
func BenchmarkDecodeSliceOfEmptyRecords(b *testing.B) { benchmarkRecords(b, true) }

func BenchmarkDecodeAnyRecords(b *testing.B) {
	in, _ := recordsInput(false)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := NewDecoder(in).ReadAny(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSliceOfRecords(b *testing.B) {
	in, _ := recordsInput(false)
	s, err := Unmarshal[Slice[record]](in)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEncoder(make([]byte, 0, 2<<20))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Reset(e.Bytes()[:0])
		e.Write(s)
	}
}

// BenchmarkWriteAnyMaps encodes dynamic maps: 100 string keys as map[string]any and as
// map[any]any, and 100 integer keys.
func BenchmarkWriteAnyMaps(b *testing.B) {
	ms, ma, mi := map[string]any{}, map[any]any{}, map[any]any{}
	for i := 0; i < 100; i++ {
		k := "header-" + strconv.Itoa(i*7919%1000)
		ms[k], ma[k], mi[int64(i*7919%1000)] = "value "+k, "value "+k, []any{int64(i), k}
	}
	for name, v := range map[string]any{"map[string]any": ms, "map[any]any strings": ma, "map[any]any ints": mi} {
		b.Run(name, func(b *testing.B) {
			e := NewEncoder(make([]byte, 0, 1<<16))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				e.Reset(e.Bytes()[:0])
				e.WriteAny(v)
			}
		})
	}
}
