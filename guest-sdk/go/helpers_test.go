package wabi

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// ---- the Rust types of the golden vectors, written the way the README tells users to ----

type Person struct {
	Name  string
	Age   uint32
	Email *string
	Tags  []string
}

func (p Person) MarshalMsg(e *Encoder) {
	e.Map(4).Str("name", p.Name).Uint32("age", p.Age).OptStr("email", p.Email).Key("tags")
	EncodeSlice(e, p.Tags, (*Encoder).WriteString)
}

func (p *Person) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "name":
			p.Name, err = d.ReadString()
		case "age":
			p.Age, err = d.ReadUint32()
		case "email":
			p.Email, err = d.ReadOptString()
		case "tags":
			p.Tags, err = DecodeSlice(d, (*Decoder).ReadString)
		}
		return err
	})
}

// Shape is enum Shape { Unit, Circle(f64), Rect { w: f64, h: f64 }, Pair(i32, i32) }.
type Shape struct {
	Kind   string
	Radius float64
	W, H   float64
	A, B   int32
}

func (s Shape) MarshalMsg(e *Encoder) {
	switch s.Kind {
	case "Unit":
		e.UnitVariant("Unit")
	case "Circle":
		e.Variant("Circle").WriteFloat64(s.Radius)
	case "Rect":
		e.Variant("Rect").Map(2).Float64("w", s.W).Float64("h", s.H)
	case "Pair":
		e.Variant("Pair").Array(2).WriteInt(int64(s.A))
		e.WriteInt(int64(s.B))
	default:
		e.SetError(BadArguments("unknown variant " + s.Kind))
	}
}

func (s *Shape) UnmarshalMsg(d *Decoder) error {
	name, hasValue, err := d.ReadVariant()
	if err != nil {
		return err
	}
	*s = Shape{Kind: name}
	switch {
	case name == "Unit" && !hasValue:
		return nil
	case name == "Circle" && hasValue:
		s.Radius, err = d.ReadFloat64()
		return err
	case name == "Rect" && hasValue:
		return d.ReadFields(func(key string) (err error) {
			switch key {
			case "w":
				s.W, err = d.ReadFloat64()
			case "h":
				s.H, err = d.ReadFloat64()
			}
			return err
		})
	case name == "Pair" && hasValue:
		v, err := DecodeSlice(d, (*Decoder).ReadInt32)
		if err != nil {
			return err
		}
		if len(v) != 2 {
			return BadArguments("Pair has 2 fields")
		}
		s.A, s.B = v[0], v[1]
		return nil
	}
	return BadArguments("unknown variant " + name)
}

// Request is struct Request { method, path: String, headers: BTreeMap<String, String>, body: Vec<u8> }.
type Request struct {
	Method, Path string
	Headers      map[string]string
	Body         []byte
}

func (r Request) MarshalMsg(e *Encoder) {
	e.Map(4).Str("method", r.Method).Str("path", r.Path).Any("headers", r.Headers).Bin("body", r.Body)
}

func (r *Request) UnmarshalMsg(d *Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "method":
			r.Method, err = d.ReadString()
		case "path":
			r.Path, err = d.ReadString()
		case "headers":
			r.Headers, err = DecodeMap(d, (*Decoder).ReadString)
		case "body":
			r.Body, err = d.ReadBytes()
		}
		return err
	})
}

// AppError carries a MessagePack value.
type AppError struct {
	Code   int
	Reason string
}

func (e *AppError) Error() string {
	return "app error " + itoa(e.Code) + ": " + e.Reason
}

func (e *AppError) MarshalMsg(enc *Encoder) { enc.Map(2).Int("code", e.Code).Str("reason", e.Reason) }

// ---- helpers ----

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func hx(b []byte) string { return hex.EncodeToString(b) }

func strp(s string) *string { return &s }

// envelope is a parsed result envelope.
type envelope struct {
	status  uint32
	body    []byte
	message string // Error, Panic, BadArguments, BadResult
	value   []byte // Error
	file    string // Panic
	line    uint32 // Panic
}

func parseEnvelope(t testing.TB, b []byte) envelope {
	t.Helper()
	if len(b) < 8 {
		t.Fatalf("envelope of %d bytes", len(b))
	}
	env := envelope{status: binary.LittleEndian.Uint32(b), body: b[8:]}
	if n := binary.LittleEndian.Uint32(b[4:]); int(n) != len(b)-8 {
		t.Fatalf("body_len %d but %d body bytes", n, len(b)-8)
	}
	switch env.status {
	case statusError:
		ml := binary.LittleEndian.Uint32(env.body)
		vl := binary.LittleEndian.Uint32(env.body[4:])
		if 8+uint64(ml)+uint64(vl) != uint64(len(env.body)) {
			t.Fatalf("error body lengths %d+%d vs %d", ml, vl, len(env.body))
		}
		env.message = string(env.body[8 : 8+ml])
		env.value = env.body[8+ml:]
	case statusPanic:
		ml := binary.LittleEndian.Uint32(env.body)
		fl := binary.LittleEndian.Uint32(env.body[4:])
		env.line = binary.LittleEndian.Uint32(env.body[8:])
		if 16+uint64(ml)+uint64(fl) != uint64(len(env.body)) {
			t.Fatalf("panic record lengths %d+%d vs %d", ml, fl, len(env.body))
		}
		env.message = string(env.body[16 : 16+ml])
		env.file = string(env.body[16+ml:])
	case statusBadArguments, statusBadResult:
		env.message = string(env.body)
	case statusOk:
	default:
		t.Fatalf("unknown status %d", env.status)
	}
	return env
}

// callVia plays the host (ABI section 6.2) for one call of an export function in a native build:
// the input goes to the scratch buffer when it fits (unless forceAlloc), else into a block from
// wabi_alloc, which must be freed by the time the call returns.
func callVia(t testing.TB, export func(ptr, size uint32) uint64, input []byte, forceAlloc bool) envelope {
	t.Helper()
	var ptr uint32
	switch {
	case len(input) == 0:
	case len(input) <= ScratchSize && !forceAlloc:
		ptr = scratchAddress()
		copy(scratchBytes(), input)
	default:
		ptr = alloc(uint32(len(input)), 8)
		if ptr == 0 {
			t.Fatal("wabi_alloc failed")
		}
		copy(blockBytes(blocks[ptr]), input)
	}
	packed := export(ptr, uint32(len(input)))
	if forceAlloc || len(input) > ScratchSize {
		if _, still := blocks[ptr]; still && ptr != 0 {
			t.Fatalf("input block %#x not freed after the call", ptr)
		}
	}
	optr, olen := uint32(packed>>32), uint32(packed)
	if optr != outputAddress(outBuf) || int(olen) != len(outBuf) {
		t.Fatalf("packed result (%#x, %d) does not describe the output buffer (%d bytes)", optr, olen, len(outBuf))
	}
	return parseEnvelope(t, append([]byte{}, outBuf...))
}

func call(t testing.TB, export func(ptr, size uint32) uint64, input []byte) envelope {
	t.Helper()
	return callVia(t, export, input, false)
}
