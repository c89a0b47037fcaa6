package wabi

import "strconv"

// handler decodes the arguments from d, runs the user function and encodes its result into e
// (which already holds the envelope header). It returns the user's error, or a
// *BadArgumentsError.
type handler func(d *Decoder, e *Encoder) error

// callState is the decoder and encoder of one call in progress; nested calls (a host function
// calling back into the guest) get their own.
//
// Nested calls share the output buffer safely: an export writes its envelope only after the user
// function returns, so while it is suspended in a host call, nested calls may write into (and
// grow) the buffer, and the host reads each nested envelope before the host call returns.
type callState struct {
	d Decoder
	e Encoder
}

var (
	states    []*callState
	callDepth int
)

// AbortOnPanic selects what a panic the SDK recovers (mainline Go only) becomes. false (the
// default): a Panic envelope (status 2); the instance stays usable, as ABI section 5 says. true:
// the panic is reported through the wabi.panic import, which never returns; the host then
// discards the instance, exactly as for guests that cannot recover (TinyGo, Rust). Choose true
// when a panic may leave package state inconsistent.
var AbortOnPanic bool

// panicInfo describes a panic caught by protect.
type panicInfo struct {
	msg  string
	file string
	line uint32
}

// serve runs one call of an exported function and returns the packed (ptr, len) of its envelope.
func serve(ptr, size uint32, h handler) uint64 {
	in, owned, bad := takeInput(ptr, size)
	var env []byte
	if bad != "" {
		env = messageEnvelope(outBuf, statusBadArguments, bad)
	} else {
		env = run(in, h)
	}
	if owned {
		// The arguments may have borrowed from the block until now (ABI section 6.2).
		delete(blocks, ptr)
	}
	outBuf = env
	return pack(outputAddress(env), uint32(len(env)))
}

// run calls h on the input and returns the envelope, built in the output buffer.
func run(in []byte, h handler) (env []byte) {
	if callDepth == len(states) {
		states = append(states, new(callState))
	}
	st := states[callDepth]
	callDepth++
	hostDepthBefore := hostDepth
	st.d.Reset(in)
	st.e.Reset(beginEnvelope(outBuf))
	p := protect(func() { env = respond(&st.d, &st.e, h) })
	callDepth--
	// A panic while host-call arguments were being encoded leaves no encoder taken.
	hostDepth = hostDepthBefore
	if p != nil {
		if AbortOnPanic {
			abortWith(p) // does not return
		}
		env = panicEnvelope(outBuf, p.msg, p.file, p.line, 0)
	}
	st.d.Reset(nil)
	st.e.Reset(nil)
	return env
}

// respond runs the handler and turns its outcome into an envelope.
func respond(d *Decoder, e *Encoder, h handler) []byte {
	err := h(d, e)
	if err == nil {
		if e.err != nil {
			return messageEnvelope(e.buf, statusBadResult, "cannot encode the result: "+e.err.Error())
		}
		return finishEnvelope(e.buf, statusOk)
	}
	if ba := badArguments(err); ba != nil {
		return messageEnvelope(e.buf, statusBadArguments, ba.Msg)
	}
	msg := err.Error()
	m := errorValue(err)
	if m == nil {
		return errorEnvelope(e.buf, msg, nil)
	}
	buf := appendLE32(beginEnvelope(e.buf), uint32(len(msg)))
	buf = append(appendLE32(buf, 0), msg...)
	mark := len(buf)
	e.Reset(buf)
	m.MarshalMsg(e)
	if e.err != nil {
		return messageEnvelope(e.buf, statusBadResult, "cannot encode the error value: "+e.err.Error())
	}
	buf = e.buf
	putLE32(buf[envelopeHeaderLen+4:], uint32(len(buf)-mark))
	return finishEnvelope(buf, statusError)
}

// unwrapLimit bounds the walk down an error chain (a cyclic Unwrap must not hang the guest).
const unwrapLimit = 64

// errorValue returns the first error in err's Unwrap chain that is a Marshaler, or nil.
func errorValue(err error) Marshaler {
	for i := 0; i < unwrapLimit && err != nil; i++ {
		if m, ok := err.(Marshaler); ok {
			return m
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil
		}
		err = u.Unwrap()
	}
	return nil
}

// badArguments returns the *BadArgumentsError in err's Unwrap chain, or nil.
func badArguments(err error) *BadArgumentsError {
	for i := 0; i < unwrapLimit && err != nil; i++ {
		if ba, ok := err.(*BadArgumentsError); ok {
			return ba
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil
		}
		err = u.Unwrap()
	}
	return nil
}

// noArgs accepts the three forms of "no arguments": empty, nil (c0), empty array (90).
func (d *Decoder) noArgs() error {
	switch {
	case len(d.buf) == 0:
		return nil
	case len(d.buf) == 1 && (d.buf[0] == 0xc0 || d.buf[0] == 0x90):
		d.pos = 1
		return nil
	}
	return &BadArgumentsError{Msg: "the function takes no arguments, but " +
		strconv.Itoa(len(d.buf)) + " bytes of arguments were sent"}
}

// argList reads the array header of an argument list of n >= 2 arguments.
func (d *Decoder) argList(n int) error {
	if len(d.buf) == 0 {
		return &BadArgumentsError{Msg: "expected " + strconv.Itoa(n) + " arguments, got none (empty input)"}
	}
	c, err := d.ReadArrayHeader()
	if err != nil {
		return &BadArgumentsError{Msg: "expected an array of " + strconv.Itoa(n) + " arguments: " + err.Error()}
	}
	if c != n {
		return &BadArgumentsError{Msg: "expected " + strconv.Itoa(n) + " arguments, got " + strconv.Itoa(c)}
	}
	return nil
}

// endArgs checks that the arguments used the whole input.
func (d *Decoder) endArgs() error {
	if d.pos != len(d.buf) {
		return &BadArgumentsError{Msg: strconv.Itoa(len(d.buf)-d.pos) +
			" unexpected bytes after the arguments"}
	}
	return nil
}

// arg decodes argument i (1-based) of n.
func arg[T any](d *Decoder, i, n int) (T, error) {
	if n == 1 && len(d.buf) == 0 {
		var zero T
		return zero, &BadArgumentsError{Msg: "expected 1 argument, got none (empty input)"}
	}
	v, err := Decode[T](d)
	if err != nil {
		return v, &BadArgumentsError{Msg: "argument " + strconv.Itoa(i) + " of " + strconv.Itoa(n) +
			": " + err.Error()}
	}
	return v, nil
}

// result encodes a handler's result, or passes its error on.
func result[R any](e *Encoder, r R, err error) error {
	if err != nil {
		return err
	}
	Encode(e, r)
	return nil
}

func itoa(v int) string { return strconv.Itoa(v) }
