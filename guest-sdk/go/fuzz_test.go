package wabi

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to every decoding path: none may panic, hang or allocate
// without bound, and whatever decodes must re-encode canonically (decode(encode(v)) encodes to
// the same bytes) and be skipped over exactly.
//
//	go test -fuzz=FuzzDecode -fuzztime=10s
func FuzzDecode(f *testing.F) {
	for _, g := range loadValues(f) {
		f.Add(unhex(f, g.Hex))
	}
	for _, s := range []string{"", "c1", "dbffffffff", "ddffffffff", "dfffffffff", "c9ffffffff01",
		"d7ffffffffffffffffff", "c70cff00000001ffffffffffffffff", "8301a161a162a163a164a165",
		"9191919191919191c0", "81c0c0", "8191c0c0", "a2c328", "92ccff00",
		"82cb7ff8000000000000c0cb7ff8000000000000c2", "8302c001c0a0c0", "82a162c0a26161c0"} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(in)
		v, err := d.ReadAny()
		end := d.Offset()

		s := NewDecoder(in)
		skipErr := s.Skip()
		if err == nil {
			if skipErr != nil || s.Offset() != end {
				t.Fatalf("ReadAny consumed %d bytes, Skip %d (%v)", end, s.Offset(), skipErr)
			}
			var e Encoder
			e.WriteAny(v)
			// The one decodable value that does not re-encode: a map with two NaN keys of the
			// same bits, which Go keeps apart (NaN != NaN) but which encode the same.
			if err := e.Err(); err != nil && !strings.Contains(err.Error(), "duplicate map key NaN") {
				t.Fatalf("re-encoding %#v: %v", v, err)
			} else if err == nil {
				v2, err := NewDecoder(e.Bytes()).ReadAny()
				if err != nil {
					t.Fatalf("canonical form %x does not decode: %v", e.Bytes(), err)
				}
				var e2 Encoder
				e2.WriteAny(v2)
				if !bytes.Equal(e.Bytes(), e2.Bytes()) {
					t.Fatalf("not canonical: %x then %x", e.Bytes(), e2.Bytes())
				}
			}
			if raw, err := NewDecoder(in).ReadRaw(); err != nil || !bytes.Equal(raw, in[:end]) {
				t.Fatalf("ReadRaw: %x %v", raw, err)
			}
		}

		// Typed paths.
		var p Person
		_ = p.UnmarshalMsg(NewDecoder(in))
		var sh Shape
		_ = sh.UnmarshalMsg(NewDecoder(in))
		var r Request
		_ = r.UnmarshalMsg(NewDecoder(in))
		_, _ = Unmarshal[Slice[Slice[[]uint32]]](in)
		_, _ = Unmarshal[map[string]int64](in)
		_, _ = Unmarshal[map[any]any](in)
		_, _ = Unmarshal[[]byte](in)
		_, _ = Unmarshal[Timestamp](in)
		_, _ = Unmarshal[*string](in)
		_, _ = Unmarshal[tree](in)

		// The export path: arbitrary bytes as the arguments of a two-argument function.
		env := call(t, greetExport, in)
		if env.status != statusOk && env.status != statusBadArguments {
			t.Fatalf("greet answered status %d: %s", env.status, env.message)
		}
	})
}
