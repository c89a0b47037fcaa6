package wabi

// ABIVersion is the ABI version this SDK implements, as wabi_abi_version returns it:
// major << 16 | minor. 1.1 added host functions and configuration (see [CallHost1] and
// [Config]); 1.2 is the promise that wabi_abi_version and wabi_scratch answer the same in every
// instance of a module, which this SDK keeps: the scratch buffer is a package-level array; 1.3
// added outbound HTTP (see [HTTPRequest.Send]).
const ABIVersion uint32 = 0x00010003

// Result envelope status codes (ABI section 7.2).
const (
	statusOk           uint32 = 0
	statusError        uint32 = 1
	statusPanic        uint32 = 2
	statusBadArguments uint32 = 3
	statusBadResult    uint32 = 4
)

const envelopeHeaderLen = 8

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func appendLE32(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

// beginEnvelope empties buf (keeping its capacity) and reserves the 8-byte header.
func beginEnvelope(buf []byte) []byte { return append(buf[:0], 0, 0, 0, 0, 0, 0, 0, 0) }

// finishEnvelope fills in the header of an envelope started with beginEnvelope.
func finishEnvelope(buf []byte, status uint32) []byte {
	putLE32(buf[0:], status)
	putLE32(buf[4:], uint32(len(buf)-envelopeHeaderLen))
	return buf
}

// messageEnvelope writes a BadArguments or BadResult envelope (the body is the UTF-8 message).
func messageEnvelope(buf []byte, status uint32, msg string) []byte {
	return finishEnvelope(append(beginEnvelope(buf), msg...), status)
}

// errorEnvelope writes an Error envelope: message_len, value_len, message, value.
func errorEnvelope(buf []byte, msg string, value []byte) []byte {
	buf = beginEnvelope(buf)
	buf = appendLE32(buf, uint32(len(msg)))
	buf = appendLE32(buf, uint32(len(value)))
	buf = append(buf, msg...)
	buf = append(buf, value...)
	return finishEnvelope(buf, statusError)
}

// appendPanicRecord appends a panic record (ABI section 7.3).
func appendPanicRecord(buf []byte, msg, file string, line, column uint32) []byte {
	buf = appendLE32(buf, uint32(len(msg)))
	buf = appendLE32(buf, uint32(len(file)))
	buf = appendLE32(buf, line)
	buf = appendLE32(buf, column)
	buf = append(buf, msg...)
	return append(buf, file...)
}

// panicEnvelope writes a Panic envelope around a panic record.
func panicEnvelope(buf []byte, msg, file string, line, column uint32) []byte {
	return finishEnvelope(appendPanicRecord(beginEnvelope(buf), msg, file, line, column), statusPanic)
}

// BadArgumentsError is the error an export answers with a BadArguments envelope (status 3)
// instead of an Error envelope: the arguments could not be decoded. The SDK produces it when
// decoding the arguments fails; a handler may return one too (see [BadArguments]).
type BadArgumentsError struct {
	Msg string
}

func (e *BadArgumentsError) Error() string { return e.Msg }

// BadArguments returns a *BadArgumentsError: a handler that returns it answers with a
// BadArguments envelope, as when the SDK itself cannot decode the arguments.
func BadArguments(msg string) error { return &BadArgumentsError{Msg: msg} }
