package wabi

import "time"

// Timestamp is an instant as the MessagePack timestamp extension (type -1) holds it: seconds
// since the Unix epoch and nanoseconds (0 to 999,999,999) after them.
type Timestamp struct {
	Sec  int64
	Nsec uint32
}

// TimestampOf returns t's instant as a Timestamp.
func TimestampOf(t time.Time) Timestamp {
	return Timestamp{Sec: t.Unix(), Nsec: uint32(t.Nanosecond())}
}

// Time returns the instant as a time.Time in UTC.
func (t Timestamp) Time() time.Time { return time.Unix(t.Sec, int64(t.Nsec)).UTC() }

// MarshalMsg writes the timestamp extension in its smallest form.
func (t Timestamp) MarshalMsg(e *Encoder) { e.WriteTimestamp(t) }

// UnmarshalMsg reads the timestamp extension.
func (t *Timestamp) UnmarshalMsg(d *Decoder) (err error) {
	*t, err = d.ReadTimestamp()
	return err
}

// Ext is a MessagePack extension value other than the timestamp.
type Ext struct {
	Type int8
	Data []byte
}

// MarshalMsg writes the extension.
func (x Ext) MarshalMsg(e *Encoder) { e.WriteExt(x.Type, x.Data) }

// UnmarshalMsg reads any extension (the timestamp too, as type -1 and its raw bytes).
func (x *Ext) UnmarshalMsg(d *Decoder) (err error) {
	x.Type, x.Data, err = d.ReadExt()
	return err
}

// Raw is one already-encoded MessagePack value, passed through untouched: as an argument type it
// receives the argument's bytes (a copy), as a result it is written as is. An empty Raw is
// written as nil.
type Raw []byte

// MarshalMsg writes the bytes as they are.
func (r Raw) MarshalMsg(e *Encoder) {
	if len(r) == 0 {
		e.WriteNil()
		return
	}
	e.WriteRaw(r)
}

// UnmarshalMsg captures the next value's bytes.
func (r *Raw) UnmarshalMsg(d *Decoder) (err error) {
	*r, err = d.ReadRaw()
	return err
}

// Unit is the type of a function result that carries nothing (Rust's ()): it is written as nil
// (c0). Export helpers take handlers returning (wabi.Unit, error) for such functions.
type Unit = struct{}
