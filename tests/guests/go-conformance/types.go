package main

import "wabi.dev/wabi"

// Person is the Rust struct Person { name: String, age: u32, email: Option<String>, tags: Vec<String> }.
type Person struct {
	Name  string
	Age   uint32
	Email *string
	Tags  []string
}

// MarshalMsg writes the fields in declaration order, keyed by name.
func (p Person) MarshalMsg(e *wabi.Encoder) {
	e.Map(4).Str("name", p.Name).Uint32("age", p.Age).OptStr("email", p.Email).Key("tags")
	wabi.EncodeSlice(e, p.Tags, (*wabi.Encoder).WriteString)
}

// UnmarshalMsg reads the fields by name; unknown fields are skipped, a missing email is nil.
func (p *Person) UnmarshalMsg(d *wabi.Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "name":
			p.Name, err = d.ReadString()
		case "age":
			p.Age, err = d.ReadUint32()
		case "email":
			p.Email, err = d.ReadOptString()
		case "tags":
			p.Tags, err = wabi.DecodeSlice(d, (*wabi.Decoder).ReadString)
		}
		return err
	})
}

// Shape is the Rust enum
//
//	enum Shape { Unit, Circle(f64), Rect { w: f64, h: f64 }, Pair(i32, i32) }
//
// as one Go struct: Kind names the variant and the fields of the other variants stay zero.
type Shape struct {
	Kind   string // "Unit", "Circle", "Rect" or "Pair"
	Radius float64
	W, H   float64
	A, B   int32
}

// MarshalMsg writes the variant externally tagged, as serde does.
func (s Shape) MarshalMsg(e *wabi.Encoder) {
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
		e.SetError(wabi.BadArguments("unknown Shape variant " + s.Kind))
	}
}

// UnmarshalMsg reads an externally tagged variant.
func (s *Shape) UnmarshalMsg(d *wabi.Decoder) error {
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
		n, err := d.ReadArrayHeader()
		if err != nil {
			return err
		}
		if n != 2 {
			return wabi.BadArguments("Pair has 2 fields")
		}
		if s.A, err = d.ReadInt32(); err != nil {
			return err
		}
		s.B, err = d.ReadInt32()
		return err
	}
	return wabi.BadArguments("unknown Shape variant " + name)
}

// AppError is the error of fail: message "app error 42: {reason}", value {"code": 42, "reason": reason}.
type AppError struct {
	Code   uint32
	Reason string
}

func (e *AppError) Error() string {
	return "app error " + utoa(e.Code) + ": " + e.Reason
}

// MarshalMsg gives the error its MessagePack value.
func (e *AppError) MarshalMsg(enc *wabi.Encoder) {
	enc.Map(2).Uint32("code", e.Code).Str("reason", e.Reason)
}

// Stats is the result of bytes_stats and str_stats.
type Stats struct {
	Len      uint64
	Checksum uint64
}

// MarshalMsg writes {"len": .., "checksum": ..}.
func (s Stats) MarshalMsg(e *wabi.Encoder) {
	e.Map(2).Uint64("len", s.Len).Uint64("checksum", s.Checksum)
}

func utoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// EchoAll is the Rust tuple (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32) the host's
// echo_all returns: a MessagePack array of 5.
type EchoAll struct {
	P Person
	S Shape
	M map[string]int64
	B []byte
	F float32
}

// MarshalMsg writes the array of 5 (F as float 32).
func (a EchoAll) MarshalMsg(e *wabi.Encoder) {
	e.Array(5)
	wabi.Encode(e, a.P)
	wabi.Encode(e, a.S)
	wabi.Encode(e, a.M)
	wabi.Encode(e, a.B)
	e.WriteFloat32(a.F)
}

// UnmarshalMsg reads the array of 5.
func (a *EchoAll) UnmarshalMsg(d *wabi.Decoder) (err error) {
	n, err := d.ReadArrayHeader()
	if err != nil {
		return err
	}
	if n != 5 {
		return wabi.BadArguments("expected a tuple of 5, got " + utoa(uint32(n)))
	}
	if a.P, err = wabi.Decode[Person](d); err != nil {
		return err
	}
	if a.S, err = wabi.Decode[Shape](d); err != nil {
		return err
	}
	if a.M, err = wabi.Decode[map[string]int64](d); err != nil {
		return err
	}
	if a.B, err = d.ReadBytes(); err != nil {
		return err
	}
	a.F, err = d.ReadFloat32()
	return err
}

// HostCode is the value of the host's fail error: {"code": u32}.
type HostCode struct {
	Code uint32
}

// UnmarshalMsg reads the code field; others are skipped.
func (c *HostCode) UnmarshalMsg(d *wabi.Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		if key == "code" {
			c.Code, err = d.ReadUint32()
		}
		return err
	})
}

// Pair is struct Pair { a: i32, b: i32 }.
type Pair struct{ A, B int32 }

// UnmarshalMsg reads the fields by name; unknown fields are skipped.
func (p *Pair) UnmarshalMsg(d *wabi.Decoder) (err error) {
	return d.ReadFields(func(key string) error {
		switch key {
		case "a":
			p.A, err = d.ReadInt32()
		case "b":
			p.B, err = d.ReadInt32()
		}
		return err
	})
}

// Sum is struct Sum { sum: i64 }.
type Sum struct{ Sum int64 }

// MarshalMsg writes the one field, keyed by name.
func (s Sum) MarshalMsg(e *wabi.Encoder) { e.Map(1).Int64("sum", s.Sum) }
