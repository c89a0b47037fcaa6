package wabi

import (
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Host functions and configuration (ABI 1.1, sections 4.1 and 4.2).
//
// The embedder registers host functions under names; a plugin calls one with CallHostN, which
// encodes the N arguments by the argument-list rule (as a host encodes the arguments of an
// export), calls the wabi.host_call import and decodes the result as R:
//
//	sum, err := wabi.CallHost2[int64]("add", int64(1), int64(2))
//	older, err := wabi.CallHost1[Person]("birthday", p)
//
// Argument and result types are those of [Encode] and [Decode]. A failed call returns a
// *HostError. A host function may call back into the plugin's exports before it returns (a
// nested call): exports are re-entrant.
//
// Outside WebAssembly (go test) there is no host: CallHostN and Config panic unless a test has
// installed a stand-in (see abi_native.go).

// HostErrorKind says what kind of failure a [HostError] is.
type HostErrorKind uint8

const (
	// HostKindError: the host function returned an error (Message and, if it has one, Value are
	// the host's). This includes calling a name no host function is registered under.
	HostKindError HostErrorKind = iota
	// HostKindBadArguments: the host could not decode the arguments.
	HostKindBadArguments
	// HostKindBadResult: the host could not encode the host function's result.
	HostKindBadResult
	// HostKindPanic: the host answered with a panic record (hosts are not expected to).
	HostKindPanic
	// HostKindMalformed: the host's answer was not a valid result envelope.
	HostKindMalformed
	// HostKindEncode: the plugin could not encode the arguments; the host was not called.
	HostKindEncode
	// HostKindDecode: the host's result did not decode as the requested type.
	HostKindDecode
)

var hostKindNames = [...]string{"error", "bad arguments", "bad result", "panic", "malformed answer",
	"arguments not encodable", "result not decodable"}

// String returns a short description: "error", "bad arguments", ...
func (k HostErrorKind) String() string {
	if int(k) < len(hostKindNames) {
		return hostKindNames[k]
	}
	return "unknown host error kind " + strconv.Itoa(int(k))
}

// HostError is a failed host call: the host function's error, or why the call could not be made.
// Error returns Message alone: for [HostKindError] the host's own text, for the other kinds a
// sentence naming the host function.
//
// Value is the error's MessagePack value when the host function's error carries one (only for
// HostKindError); decode it with [Unmarshal]:
//
//	var he *wabi.HostError
//	if errors.As(err, &he) && he.Value != nil {
//		code, err := wabi.Unmarshal[Code](he.Value)
//	}
type HostError struct {
	Message string
	Value   []byte
	Kind    HostErrorKind
}

func (e *HostError) Error() string { return e.Message }

// keepArgsCap: argument buffers larger than this are released after the call instead of kept.
const keepArgsCap = 1 << 20

// hostEncoders are the argument encoders of the host calls in progress, reused by later calls;
// hostDepth is the number in use. A host call made by a nested call (the host calling back into
// the plugin during a host call) encodes with the next one, so the outer arguments are never
// overwritten.
var (
	hostEncoders []*Encoder
	hostDepth    int
)

// beginHostCall returns an empty encoder for the arguments of a host call.
func beginHostCall() *Encoder {
	if hostDepth == len(hostEncoders) {
		hostEncoders = append(hostEncoders, new(Encoder))
	}
	e := hostEncoders[hostDepth]
	hostDepth++
	e.Reset(e.buf[:0])
	return e
}

// endHostCall releases the encoder from beginHostCall; call it once the import has returned.
func endHostCall(e *Encoder) {
	hostDepth--
	e.err = nil
	if cap(e.buf) > keepArgsCap {
		e.buf = nil
	}
}

// finishHostCall calls the host function name with the arguments in e (from beginHostCall) and
// decodes its result as R.
func finishHostCall[R any](name string, e *Encoder) (R, error) {
	var packed uint64
	encodeErr := e.err
	if encodeErr == nil {
		// The encoder stays in use until the import returns: the host copies the arguments
		// before it runs the function, but nested calls must not even see them.
		packed = hostCall(name, e.buf)
	}
	endHostCall(e)
	if encodeErr != nil {
		var zero R
		return zero, &HostError{Kind: HostKindEncode,
			Message: "cannot encode the arguments of host function `" + name + "`: " + encodeErr.Error()}
	}
	return receive[R](callee{name: name}, packed)
}

// callee names what a host answer came from, for error messages: a host function, or the
// wabi.http_request import. A struct, so that naming costs nothing until an error needs it.
type callee struct {
	name string
	http bool
}

func (c callee) String() string {
	if c.http {
		return "wabi.http_request"
	}
	return "host function `" + c.name + "`"
}

// receive decodes the answer of the host to a call of name (a host function or
// wabi.http_request), the packed (ptr, len) of an envelope in a block from wabi_alloc(len, 8),
// which the plugin owns, and frees the block.
func receive[R any](name callee, packed uint64) (R, error) {
	ptr, n := uint32(packed>>32), uint32(packed)
	blk, ok := blocks[ptr]
	if !ok || uint64(n) > uint64(len(blk))*8 {
		var zero R
		return zero, malformed(name, "the answer ("+utoa(n)+" bytes at "+utoa(ptr)+
			") is not in a block from wabi_alloc")
	}
	r, err := hostResult[R](name, blockBytes(blk)[:n])
	free(ptr, n, 8) // decoding copied everything out of the block
	return r, err
}

func malformed(name callee, why string) *HostError {
	return &HostError{Kind: HostKindMalformed,
		Message: "the host answered the call of " + name.String() + " with an invalid envelope: " + why}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// hostResult turns the envelope env the host answered a call of name with into its result.
// Every length is checked; the messages of a malformed envelope are those of the Rust SDK.
func hostResult[R any](name callee, env []byte) (R, error) {
	var zero R
	if len(env) < envelopeHeaderLen {
		return zero, malformed(name, "result envelope needs at least 8 bytes, got "+strconv.Itoa(len(env)))
	}
	status, body := le32(env), env[envelopeHeaderLen:]
	if n := le32(env[4:]); uint64(n) != uint64(len(body)) {
		return zero, malformed(name, "envelope body_len claims "+utoa(n)+" bytes but "+
			strconv.Itoa(len(body))+" are present")
	}
	switch status {
	case statusOk:
		r, err := Unmarshal[R](body)
		if err != nil {
			return zero, &HostError{Kind: HostKindDecode,
				Message: "cannot decode the result of " + name.String() + ": " + err.Error()}
		}
		return r, nil
	case statusError:
		if len(body) < 8 {
			return zero, malformed(name, "error body needs at least 8 bytes, got "+strconv.Itoa(len(body)))
		}
		ml, vl := le32(body), le32(body[4:])
		if claimed := uint64(ml) + uint64(vl); claimed != uint64(len(body)-8) {
			return zero, malformed(name, "error body lengths claims "+strconv.FormatUint(claimed, 10)+
				" bytes but "+strconv.Itoa(len(body)-8)+" are present")
		}
		msg, value := body[8:8+ml], body[8+ml:]
		if !utf8.Valid(msg) {
			return zero, malformed(name, "error message is not valid UTF-8")
		}
		he := &HostError{Kind: HostKindError, Message: string(msg)}
		if len(value) > 0 {
			he.Value = append([]byte(nil), value...)
		}
		return zero, he
	case statusBadArguments, statusBadResult:
		if !utf8.Valid(body) {
			return zero, malformed(name, "message is not valid UTF-8")
		}
		if status == statusBadArguments {
			return zero, &HostError{Kind: HostKindBadArguments,
				Message: "the host could not decode the arguments of " + name.String() + ": " + string(body)}
		}
		return zero, &HostError{Kind: HostKindBadResult,
			Message: "the host could not encode the result of " + name.String() + ": " + string(body)}
	case statusPanic:
		return zero, hostPanicError(name, body)
	}
	return zero, malformed(name, "unknown envelope status "+utoa(status))
}

// hostPanicError reads a panic record (ABI section 7.3) the host answered a call of name with.
func hostPanicError(name callee, rec []byte) *HostError {
	if len(rec) < 16 {
		return malformed(name, "panic record needs at least 16 bytes, got "+strconv.Itoa(len(rec)))
	}
	ml, fl, line, column := le32(rec), le32(rec[4:]), le32(rec[8:]), le32(rec[12:])
	if claimed := uint64(ml) + uint64(fl); claimed != uint64(len(rec)-16) {
		return malformed(name, "panic record lengths claims "+strconv.FormatUint(claimed, 10)+
			" bytes but "+strconv.Itoa(len(rec)-16)+" are present")
	}
	msg, file := rec[16:16+ml], rec[16+ml:]
	if !utf8.Valid(msg) {
		return malformed(name, "panic message is not valid UTF-8")
	}
	if !utf8.Valid(file) {
		return malformed(name, "panic file name is not valid UTF-8")
	}
	text := name.String() + " panicked"
	if len(file) > 0 {
		text += " at " + string(file) + ":" + utoa(line) + ":" + utoa(column)
	}
	return &HostError{Kind: HostKindPanic, Message: text + ": " + string(msg)}
}

// CallHost0 calls the host function name, which takes no arguments, and decodes its result as R
// (use [Unit] for a function that returns nothing).
func CallHost0[R any](name string) (R, error) {
	return finishHostCall[R](name, beginHostCall())
}

// CallHost1 calls the host function name with one argument (sent as the bare value).
func CallHost1[R, A any](name string, a A) (R, error) {
	enc := beginHostCall()
	Encode(enc, a)
	return finishHostCall[R](name, enc)
}

// CallHost2 calls the host function name with 2 arguments (sent as an array of 2).
func CallHost2[R, A, B any](name string, a A, b B) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(2)
	Encode(enc, a)
	Encode(enc, b)
	return finishHostCall[R](name, enc)
}

// CallHost3 calls the host function name with 3 arguments (sent as an array of 3).
func CallHost3[R, A, B, C any](name string, a A, b B, c C) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(3)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	return finishHostCall[R](name, enc)
}

// CallHost4 calls the host function name with 4 arguments (sent as an array of 4).
func CallHost4[R, A, B, C, D any](name string, a A, b B, c C, d D) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(4)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	Encode(enc, d)
	return finishHostCall[R](name, enc)
}

// CallHost5 calls the host function name with 5 arguments (sent as an array of 5).
func CallHost5[R, A, B, C, D, E any](name string, a A, b B, c C, d D, e E) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(5)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	Encode(enc, d)
	Encode(enc, e)
	return finishHostCall[R](name, enc)
}

// CallHost6 calls the host function name with 6 arguments (sent as an array of 6).
func CallHost6[R, A, B, C, D, E, F any](name string, a A, b B, c C, d D, e E, f F) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(6)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	Encode(enc, d)
	Encode(enc, e)
	Encode(enc, f)
	return finishHostCall[R](name, enc)
}

// CallHost7 calls the host function name with 7 arguments (sent as an array of 7).
func CallHost7[R, A, B, C, D, E, F, G any](name string, a A, b B, c C, d D, e E, f F, g G) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(7)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	Encode(enc, d)
	Encode(enc, e)
	Encode(enc, f)
	Encode(enc, g)
	return finishHostCall[R](name, enc)
}

// CallHost8 calls the host function name with 8 arguments (sent as an array of 8).
func CallHost8[R, A, B, C, D, E, F, G, H any](name string, a A, b B, c C, d D, e E, f F, g G, h H) (R, error) {
	enc := beginHostCall()
	enc.WriteArrayHeader(8)
	Encode(enc, a)
	Encode(enc, b)
	Encode(enc, c)
	Encode(enc, d)
	Encode(enc, e)
	Encode(enc, f)
	Encode(enc, g)
	Encode(enc, h)
	return finishHostCall[R](name, enc)
}

// CallHostRaw calls the host function name with arguments already encoded by the argument-list
// rule (nothing for none, the value for one, an array for several; see [Marshal]) and decodes
// its result as R: for host functions of more arguments than CallHost8 takes.
func CallHostRaw[R any](name string, args []byte) (R, error) {
	enc := beginHostCall()
	enc.WriteRaw(args)
	return finishHostCall[R](name, enc)
}

// configStack is how many bytes Config reads in its first wabi.config call.
const configStack = 256

// Config returns the configuration value of key (a read-only map of strings the embedder gives
// the plugin) and whether it is set. A value of up to 256 bytes takes one host call; a longer
// one a second call into a buffer of exactly its length. Nothing is cached.
func Config(key string) (string, bool) {
	var stack [configStack]byte
	n := configLookup(key, stack[:])
	if n < 0 {
		return "", false
	}
	if n <= configStack {
		return string(stack[:n]), true
	}
	for {
		buf := make([]byte, n)
		m := configLookup(key, buf)
		if m < 0 {
			return "", false
		}
		if m <= n {
			if m == 0 {
				return "", true
			}
			// buf is not used again: the string takes it over without a copy.
			return unsafe.String(&buf[0], int(m)), true
		}
		n = m
	}
}
