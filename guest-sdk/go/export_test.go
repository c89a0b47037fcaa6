package wabi

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// These tests play the host of ABI section 6 against the export helpers in a native build (see
// callVia): input in the scratch buffer or in a block from wabi_alloc, envelope in the output
// buffer.

func greetExport(ptr, size uint32) uint64 {
	return Export2(ptr, size, func(p Person, greeting string) (string, error) {
		return greeting + ", " + p.Name + " (" + itoa(int(p.Age)) + ")", nil
	})
}

func TestWorkedExample(t *testing.T) {
	// ABI.md section 12, byte for byte.
	in := unhex(t, "92 84a46e616d65a3416461 a361676524 a5656d61696cc0 a47461677391a46d617468 a548656c6c6f")
	if len(in) != 40 {
		t.Fatalf("the worked example's input is 40 bytes, got %d", len(in))
	}
	for _, forceAlloc := range []bool{false, true} {
		env := callVia(t, greetExport, in, forceAlloc)
		if env.status != statusOk || string(env.body[1:]) != "Hello, Ada (36)" || env.body[0] != 0xaf {
			t.Fatalf("alloc=%v: %+v", forceAlloc, env)
		}
		if got := hx(outBuf); got != "0000000010000000af48656c6c6f2c204164612028333629" {
			t.Fatalf("envelope %s", got)
		}
	}
}

func TestAllocator(t *testing.T) {
	for _, align := range []uint32{1, 2, 4, 8} {
		for _, size := range []uint32{1, 3, 8, 9, 1000, 70000} {
			p := alloc(size, align)
			if p == 0 || p%align != 0 {
				t.Fatalf("alloc(%d, %d) = %#x", size, align, p)
			}
			if len(blockBytes(blocks[p])) < int(size) {
				t.Fatalf("block too small")
			}
			free(p, size, align)
			if _, ok := blocks[p]; ok {
				t.Fatal("not freed")
			}
		}
	}
	for _, c := range [][2]uint32{{0, 8}, {8, 0}, {8, 3}, {8, 16}, {0xffffffff, 8}, {maxAlloc + 1, 1}} {
		if p := alloc(c[0], c[1]); p != 0 {
			t.Errorf("alloc(%d, %d) = %#x, want 0", c[0], c[1], p)
		}
	}
	free(12345, 1, 1) // unknown pointers are ignored
	packed := scratchPacked()
	if uint32(packed) != ScratchSize || uint32(packed>>32) != scratchAddress() || scratchAddress()%8 != 0 {
		t.Fatalf("scratch %#x", packed)
	}
	if ABIVersion != 0x00010003 {
		t.Fatal("version")
	}
}

func TestInputOwnership(t *testing.T) {
	echo := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(s string) (string, error) { return s, nil })
	}
	// Larger than the scratch buffer: the host must allocate, and the guest frees the block.
	big := strings.Repeat("é", ScratchSize)
	in, _ := Marshal(big)
	n := len(blocks)
	env := callVia(t, echo, in, false)
	if env.status != statusOk || !bytes.Equal(env.body, in) {
		t.Fatal("large echo failed")
	}
	if len(blocks) != n {
		t.Fatalf("%d blocks leaked", len(blocks)-n)
	}
	// An input pointer that is neither the scratch buffer nor a live block.
	packed := echo(0xdead0, 3)
	env = parseEnvelope(t, outBuf)
	if env.status != statusBadArguments || !strings.Contains(env.message, "neither the scratch buffer") ||
		uint32(packed) != uint32(len(outBuf)) {
		t.Fatalf("%+v", env)
	}
	// The scratch pointer with a length beyond its capacity.
	echo(scratchAddress(), ScratchSize+1)
	if env = parseEnvelope(t, outBuf); env.status != statusBadArguments {
		t.Fatalf("%+v", env)
	}
	// A block smaller than the claimed length.
	p := alloc(4, 8)
	echo(p, 100)
	if env = parseEnvelope(t, outBuf); env.status != statusBadArguments {
		t.Fatalf("%+v", env)
	}
	if _, ok := blocks[p]; ok {
		t.Error("a block handed over with a bad length was not freed")
	}
	// Arguments do not borrow from the input: overwriting the scratch buffer after a call does
	// not change what the function kept.
	var kept []string
	keep := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(s string) (Unit, error) { kept = append(kept, s); return Unit{}, nil })
	}
	call(t, keep, unhex(t, "a3616263"))
	call(t, keep, unhex(t, "a378797a"))
	if kept[0] != "abc" || kept[1] != "xyz" {
		t.Fatal(kept)
	}
}

func TestArgumentListRule(t *testing.T) {
	e0 := func(ptr, size uint32) uint64 {
		return Export0(ptr, size, func() (Unit, error) { return Unit{}, nil })
	}
	for _, in := range []string{"", "c0", "90"} {
		if env := call(t, e0, unhex(t, in)); env.status != statusOk || hx(env.body) != "c0" {
			t.Errorf("Export0(%q): %+v", in, env)
		}
	}
	for _, in := range []string{"9101", "01", "c0c0"} {
		if env := call(t, e0, unhex(t, in)); env.status != statusBadArguments {
			t.Errorf("Export0(%q): %+v", in, env)
		}
	}
	e1 := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(v []uint32) ([]uint32, error) { return v, nil })
	}
	// One argument that is itself a sequence stays a sequence (not unwrapped).
	if env := call(t, e1, unhex(t, "920102")); env.status != statusOk || hx(env.body) != "920102" {
		t.Errorf("%+v", env)
	}
	bad := map[string]string{
		"":                     "expected 1 argument, got none",
		"a161":                 "argument 1 of 1: expected array, found str",
		"920102c0":             "1 unexpected bytes after the arguments",
		"91cf0000000100000000": "argument 1 of 1: element 0: integer 4294967296 does not fit uint32",
	}
	for in, msg := range bad {
		env := call(t, e1, unhex(t, in))
		if env.status != statusBadArguments || !strings.Contains(env.message, msg) {
			t.Errorf("Export1(%q): %q, want %q", in, env.message, msg)
		}
	}
	e3 := func(ptr, size uint32) uint64 {
		return Export3(ptr, size, func(a, b, c string) (string, error) { return a + b + c, nil })
	}
	if env := call(t, e3, unhex(t, "93a161a162a163")); env.status != statusOk || hx(env.body) != "a3616263" {
		t.Errorf("%+v", env)
	}
	bad = map[string]string{
		"":                   "expected 3 arguments, got none",
		"92a161a162":         "expected 3 arguments, got 2",
		"94a161a162a163a164": "expected 3 arguments, got 4",
		"a161":               "expected an array of 3 arguments",
		"93a161a16201":       "argument 3 of 3: expected str, found int",
		"93a161a162a163c0":   "1 unexpected bytes after the arguments",
	}
	for in, msg := range bad {
		env := call(t, e3, unhex(t, in))
		if env.status != statusBadArguments || !strings.Contains(env.message, msg) {
			t.Errorf("Export3(%q): %q, want %q", in, env.message, msg)
		}
	}
}

func TestAllArities(t *testing.T) {
	in := func(n int) []byte {
		var e Encoder
		if n >= 2 {
			e.WriteArrayHeader(n)
		}
		for i := 1; i <= n; i++ {
			e.WriteInt(int64(i))
		}
		return e.Bytes()
	}
	sum := func(v ...int) (int, error) {
		s := 0
		for _, x := range v {
			s += x
		}
		return s, nil
	}
	exports := []func(ptr, size uint32) uint64{
		func(p, s uint32) uint64 { return Export0(p, s, func() (int, error) { return sum() }) },
		func(p, s uint32) uint64 { return Export1(p, s, func(a int) (int, error) { return sum(a) }) },
		func(p, s uint32) uint64 { return Export2(p, s, func(a, b int) (int, error) { return sum(a, b) }) },
		func(p, s uint32) uint64 {
			return Export3(p, s, func(a, b, c int) (int, error) { return sum(a, b, c) })
		},
		func(p, s uint32) uint64 {
			return Export4(p, s, func(a, b, c, d int) (int, error) { return sum(a, b, c, d) })
		},
		func(p, s uint32) uint64 {
			return Export5(p, s, func(a, b, c, d, e int) (int, error) { return sum(a, b, c, d, e) })
		},
		func(p, s uint32) uint64 {
			return Export6(p, s, func(a, b, c, d, e, f int) (int, error) { return sum(a, b, c, d, e, f) })
		},
		func(p, s uint32) uint64 {
			return Export7(p, s, func(a, b, c, d, e, f, g int) (int, error) { return sum(a, b, c, d, e, f, g) })
		},
		func(p, s uint32) uint64 {
			return Export8(p, s, func(a, b, c, d, e, f, g, h int) (int, error) { return sum(a, b, c, d, e, f, g, h) })
		},
	}
	for n, ex := range exports {
		env := call(t, ex, in(n))
		if env.status != statusOk || hx(env.body) != hx([]byte{byte(n * (n + 1) / 2)}) {
			t.Errorf("Export%d: %+v", n, env)
		}
		if n >= 2 {
			wrong := in(n - 1)
			if n-1 < 2 {
				wrong = []byte{0x91, 0x01}
			}
			if env := call(t, ex, wrong); env.status != statusBadArguments {
				t.Errorf("Export%d with %d args: %+v", n, n-1, env)
			}
		}
	}
}

type codedError struct{ code int }

func (e codedError) Error() string           { return "coded " + itoa(e.code) }
func (e codedError) MarshalMsg(enc *Encoder) { enc.Map(1).Int("code", e.code) }

type badValueError struct{}

func (badValueError) Error() string           { return "bad value" }
func (badValueError) MarshalMsg(enc *Encoder) { enc.WriteAny(make(chan int)) }

type unencodable struct{}

func (unencodable) MarshalMsg(e *Encoder) { e.SetError(errors.New("no way")) }

func TestOutcomes(t *testing.T) {
	run := func(f func(string) (any, error), in string) envelope {
		return call(t, func(p, s uint32) uint64 { return Export1(p, s, f) }, unhex(t, in))
	}
	// Error without a value, with a value, with a value found through Unwrap.
	env := run(func(string) (any, error) { return nil, errors.New("plain") }, "a0")
	if env.status != statusError || env.message != "plain" || len(env.value) != 0 {
		t.Errorf("%+v", env)
	}
	env = run(func(string) (any, error) { return nil, codedError{7} }, "a0")
	if env.status != statusError || env.message != "coded 7" || hx(env.value) != "81a4636f646507" {
		t.Errorf("%+v", env)
	}
	env = run(func(string) (any, error) { return nil, fmt.Errorf("context: %w", codedError{8}) }, "a0")
	if env.status != statusError || env.message != "context: coded 8" || hx(env.value) != "81a4636f646508" {
		t.Errorf("%+v", env)
	}
	// A BadArgumentsError from the handler, also wrapped.
	env = run(func(string) (any, error) { return nil, fmt.Errorf("x: %w", BadArguments("no good")) }, "a0")
	if env.status != statusBadArguments || env.message != "no good" {
		t.Errorf("%+v", env)
	}
	// Results that cannot be encoded, error values that cannot be encoded.
	env = run(func(string) (any, error) { return make(chan int), nil }, "a0")
	if env.status != statusBadResult || !strings.Contains(env.message, "cannot encode the result") {
		t.Errorf("%+v", env)
	}
	env = run(func(string) (any, error) { return unencodable{}, nil }, "a0")
	if env.status != statusBadResult || !strings.Contains(env.message, "no way") {
		t.Errorf("%+v", env)
	}
	env = run(func(string) (any, error) { return nil, badValueError{} }, "a0")
	if env.status != statusBadResult || !strings.Contains(env.message, "cannot encode the error value") {
		t.Errorf("%+v", env)
	}
	// Dynamic results: []byte stays bin when the static type is any.
	env = run(func(string) (any, error) { return []byte{}, nil }, "a0")
	if env.status != statusOk || hx(env.body) != "c400" {
		t.Errorf("%+v", env)
	}
	e := call(t, func(p, s uint32) uint64 {
		return Export0(p, s, func() ([]byte, error) { return nil, nil })
	}, nil)
	if hx(e.body) != "90" {
		t.Errorf("typed empty bytes: %s", hx(e.body))
	}
	// The instance stays usable after every outcome.
	env = run(func(s string) (any, error) { return s, nil }, "a26f6b")
	if env.status != statusOk || hx(env.body) != "a26f6b" {
		t.Errorf("%+v", env)
	}
}

func TestPanics(t *testing.T) {
	boom := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(msg string) (Unit, error) {
			panic(msg) // the line reported below
		})
	}
	env := call(t, boom, unhex(t, "a4626f6f6d"))
	if env.status != statusPanic || env.message != "boom" || !strings.HasSuffix(env.file, "export_test.go") || env.line == 0 {
		t.Fatalf("%+v", env)
	}
	// A runtime error reports the user's line, not the runtime's.
	index := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(i int) (int, error) {
			s := []int{1, 2, 3}
			return s[i], nil
		})
	}
	env = call(t, index, []byte{5})
	if env.status != statusPanic || !strings.Contains(env.message, "index out of range [5] with length 3") ||
		!strings.HasSuffix(env.file, "export_test.go") {
		t.Fatalf("%+v", env)
	}
	// Panics with other values.
	for _, c := range []struct {
		v    any
		want string
	}{{errors.New("an error"), "an error"}, {42, "42"}, {2.5, "2.5"}, {struct{}{}, "panic with a value"}} {
		v := c.v
		ex := func(ptr, size uint32) uint64 {
			return Export0(ptr, size, func() (Unit, error) { panic(v) })
		}
		if env := call(t, ex, nil); env.status != statusPanic || !strings.Contains(env.message, c.want) {
			t.Errorf("panic(%#v): %+v", v, env)
		}
	}
	// A panic while encoding the result is caught too, and the next call works.
	ex := func(ptr, size uint32) uint64 {
		return Export0(ptr, size, func() (panicky, error) { return panicky{}, nil })
	}
	if env := call(t, ex, nil); env.status != statusPanic || env.message != "in MarshalMsg" {
		t.Errorf("%+v", env)
	}
	if callDepth != 0 {
		t.Fatalf("call depth %d after panics", callDepth)
	}
	if env := call(t, greetExport, unhex(t, "92 81a46e616d65a141 a168")); env.status != statusOk {
		t.Fatalf("%+v", env)
	}
}

type panicky struct{}

func (panicky) MarshalMsg(e *Encoder) { panic("in MarshalMsg") }

func TestRawAndPod(t *testing.T) {
	rev := func(ptr, size uint32) uint64 {
		return ExportRaw(ptr, size, func(in []byte) ([]byte, error) {
			out := make([]byte, len(in))
			for i, c := range in {
				out[len(in)-1-i] = c
			}
			return out, nil
		})
	}
	if env := call(t, rev, []byte{1, 2, 3}); env.status != statusOk || hx(env.body) != "030201" {
		t.Fatalf("%+v", env)
	}
	if env := call(t, rev, nil); env.status != statusOk || len(env.body) != 0 {
		t.Fatalf("%+v", env)
	}
	rawFail := func(ptr, size uint32) uint64 {
		return ExportRaw(ptr, size, func(in []byte) ([]byte, error) { return nil, codedError{1} })
	}
	if env := call(t, rawFail, []byte{1}); env.status != statusError || hx(env.value) != "81a4636f646501" {
		t.Fatalf("%+v", env)
	}
	add := func(ptr, size uint32) uint64 {
		return ExportPod(ptr, size, 8, func(in []byte) ([]byte, error) {
			a := int32(uint32(in[0]) | uint32(in[1])<<8 | uint32(in[2])<<16 | uint32(in[3])<<24)
			b := int32(uint32(in[4]) | uint32(in[5])<<8 | uint32(in[6])<<16 | uint32(in[7])<<24)
			s := uint64(int64(a) + int64(b))
			out := make([]byte, 8)
			for i := range out {
				out[i] = byte(s >> (8 * i))
			}
			return out, nil
		})
	}
	if env := call(t, add, unhex(t, "0100000002000000")); env.status != statusOk || hx(env.body) != "0300000000000000" {
		t.Fatalf("%+v", env)
	}
	for _, in := range []string{"", "01", "010000000200000003"} {
		if env := call(t, add, unhex(t, in)); env.status != statusBadArguments || !strings.Contains(env.message, "expected 8 bytes") {
			t.Fatalf("%q: %+v", in, env)
		}
	}
}

func TestNestedCalls(t *testing.T) {
	// A host function that calls back into the guest while a user function runs: the inner call
	// gets its input from wabi_alloc and its own decoder/encoder; the outer result is unaffected.
	inner := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(s string) (string, error) { return "inner " + s, nil })
	}
	var innerEnv envelope
	outer := func(ptr, size uint32) uint64 {
		return Export2(ptr, size, func(a string, b string) (string, error) {
			innerEnv = callVia(t, inner, unhex(t, "a178"), true)
			return a + b, nil
		})
	}
	env := call(t, outer, unhex(t, "92a3616263a3646566"))
	if env.status != statusOk || hx(env.body) != "a6616263646566" {
		t.Fatalf("outer %+v", env)
	}
	if innerEnv.status != statusOk || string(innerEnv.body[1:]) != "inner x" {
		t.Fatalf("inner %+v", innerEnv)
	}
	if callDepth != 0 || len(states) < 2 {
		t.Fatalf("depth %d, %d states", callDepth, len(states))
	}
}

func TestOutputBufferIsReused(t *testing.T) {
	echo := func(ptr, size uint32) uint64 {
		return Export1(ptr, size, func(s string) (string, error) { return s, nil })
	}
	call(t, echo, unhex(t, "a3616263"))
	first := &outBuf[0]
	call(t, echo, unhex(t, "a178"))
	if &outBuf[0] != first {
		t.Error("the output buffer was reallocated for a smaller answer")
	}
	allocs := testing.AllocsPerRun(200, func() {
		copy(scratchBytes(), []byte{0xa1, 'x'})
		echo(scratchAddress(), 2)
	})
	t.Logf("allocations per echo call: %v", allocs)
	if allocs > 4 {
		t.Errorf("%v allocations per echo call", allocs)
	}
}
