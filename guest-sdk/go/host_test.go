//go:build !wasm && !tinygo.wasm

// Tests of host calls and configuration (ABI 1.1) in a native build: the hooks of abi_native.go
// play the host, answering with envelopes in blocks from wabi_alloc as ABI section 4.1 says.

package wabi

import (
	"errors"
	"strings"
	"testing"
)

// answer places env in a block from wabi_alloc, as the host does, and returns it packed.
func answer(t testing.TB, env []byte) uint64 {
	t.Helper()
	p := alloc(uint32(len(env)), 8)
	if p == 0 {
		t.Fatal("wabi_alloc failed")
	}
	copy(blockBytes(blocks[p]), env)
	return pack(p, uint32(len(env)))
}

func okEnvelope(t testing.TB, body []byte) []byte {
	t.Helper()
	return finishEnvelope(append(beginEnvelope(nil), body...), statusOk)
}

func mustMarshal[T any](t testing.TB, v T) []byte {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeHost installs hook as wabi.host_call for the test, and checks that every answer block
// was freed by the time the test ends.
func fakeHost(t *testing.T, hook func(name string, args []byte) uint64) {
	t.Helper()
	var answered []uint32
	hostCallHook = func(name string, args []byte) uint64 {
		packed := hook(name, args)
		answered = append(answered, uint32(packed>>32))
		return packed
	}
	t.Cleanup(func() {
		hostCallHook = nil
		for _, p := range answered {
			if _, still := blocks[p]; still {
				t.Errorf("answer block %#x was not freed", p)
			}
		}
		if hostDepth != 0 {
			t.Errorf("host depth %d after the test", hostDepth)
			hostDepth = 0
		}
	})
}

func TestCallHostArgumentListAndResult(t *testing.T) {
	var gotName, gotArgs []string
	fakeHost(t, func(name string, args []byte) uint64 {
		gotName = append(gotName, name)
		gotArgs = append(gotArgs, hx(args))
		return answer(t, okEnvelope(t, mustMarshal(t, int64(-3))))
	})
	if v, err := CallHost0[int64]("zero"); err != nil || v != -3 {
		t.Fatal(v, err)
	}
	if _, err := CallHost1[int64]("one", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := CallHost2[int64]("two", int64(1), []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	p := Person{Name: "Ada", Age: 36, Tags: []string{"math"}}
	if _, err := CallHost5[int64]("five", p, Shape{Kind: "Unit"}, map[string]int64{"b": 2, "a": 1},
		[]byte{}, float32(1.5)); err != nil {
		t.Fatal(err)
	}
	if _, err := CallHostRaw[int64]("raw", []byte{0x92, 1, 2}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"",             // none: empty
		"a161",         // one: the bare value
		"9201c4020102", // two: an array, []byte as bin
		"95" + hx(mustMarshal(t, p)) + // five: Person, then
			"a4556e6974" + // "Unit",
			"82a16101a16202" + // {"a": 1, "b": 2} sorted,
			"90" + // an empty Vec<u8>,
			"ca3fc00000", // f32 as float 32
		"920102",
	}
	if strings.Join(gotName, ",") != "zero,one,two,five,raw" || strings.Join(gotArgs, ",") != strings.Join(want, ",") {
		t.Fatalf("names %v\nargs %v\nwant %v", gotName, gotArgs, want)
	}
}

func TestCallHostResults(t *testing.T) {
	var env []byte
	fakeHost(t, func(string, []byte) uint64 { return answer(t, env) })

	env = okEnvelope(t, mustMarshal(t, Person{Name: "Bo", Age: 2}))
	if p, err := CallHost1[Person]("birthday", Person{}); err != nil || p.Name != "Bo" || p.Age != 2 {
		t.Fatal(p, err)
	}
	env = okEnvelope(t, []byte{0xc0})
	if _, err := CallHost0[Unit]("tick"); err != nil {
		t.Fatal(err)
	}
	// An Ok body that is not an R.
	env = okEnvelope(t, []byte{0xa1, 'x'})
	_, err := CallHost0[uint32]("f")
	var he *HostError
	if !errors.As(err, &he) || he.Kind != HostKindDecode ||
		!strings.HasPrefix(he.Message, "cannot decode the result of host function `f`: ") {
		t.Fatalf("%#v", err)
	}
}

func TestCallHostErrors(t *testing.T) {
	var env []byte
	fakeHost(t, func(string, []byte) uint64 { return answer(t, env) })

	type code struct{ Code uint32 }
	value := unhex(t, "81a4636f646507") // {"code": 7}
	env = errorEnvelope(nil, "host says: hi", value)
	_, err := CallHost1[Unit]("fail", "hi")
	var he *HostError
	if !errors.As(err, &he) || he.Kind != HostKindError || err.Error() != "host says: hi" || hx(he.Value) != hx(value) {
		t.Fatalf("%#v", err)
	}
	c, err := Unmarshal[map[string]uint64](he.Value)
	if err != nil || c["code"] != 7 {
		t.Fatal(c, err)
	}

	env = errorEnvelope(nil, "no host function named `x` is registered", nil)
	_, err = CallHost0[Unit]("x")
	if !errors.As(err, &he) || he.Kind != HostKindError || he.Value != nil {
		t.Fatalf("%#v", err)
	}

	for _, c := range []struct {
		env  []byte
		kind HostErrorKind
		msg  string
	}{
		{messageEnvelope(nil, statusBadArguments, "expected 2 arguments"), HostKindBadArguments,
			"the host could not decode the arguments of host function `f`: expected 2 arguments"},
		{messageEnvelope(nil, statusBadResult, "nope"), HostKindBadResult,
			"the host could not encode the result of host function `f`: nope"},
		{panicEnvelope(nil, "boom", "host.rs", 3, 9), HostKindPanic, "host function `f` panicked at host.rs:3:9: boom"},
		{panicEnvelope(nil, "boom", "", 0, 0), HostKindPanic, "host function `f` panicked: boom"},
		{unhex(t, "00000000"), HostKindMalformed, "the host answered the call of host function `f` with an " +
			"invalid envelope: result envelope needs at least 8 bytes, got 4"},
		{unhex(t, "00000000 02000000 c0"), HostKindMalformed, "envelope body_len claims 2 bytes but 1 are present"},
		{unhex(t, "09000000 00000000"), HostKindMalformed, "unknown envelope status 9"},
		{unhex(t, "01000000 04000000 00000000"), HostKindMalformed, "error body needs at least 8 bytes, got 4"},
		{unhex(t, "01000000 09000000 02000000 00000000 61"), HostKindMalformed, "error body lengths claims 2 bytes but 1 are present"},
		{unhex(t, "01000000 09000000 01000000 00000000 ff"), HostKindMalformed, "error message is not valid UTF-8"},
		{unhex(t, "03000000 01000000 ff"), HostKindMalformed, "message is not valid UTF-8"},
		{unhex(t, "02000000 04000000 00000000"), HostKindMalformed, "panic record needs at least 16 bytes, got 4"},
	} {
		env = c.env
		_, err := CallHost0[Unit]("f")
		if !errors.As(err, &he) || he.Kind != c.kind || !strings.HasSuffix(he.Message, c.msg) {
			t.Errorf("%s: got %#v, want %s %q", hx(c.env), err, c.kind, c.msg)
		}
	}
}

func TestCallHostAnswerOutsideABlock(t *testing.T) {
	fakeHost(t, func(string, []byte) uint64 { return pack(0, 0) })
	_, err := CallHost0[Unit]("f")
	var he *HostError
	if !errors.As(err, &he) || he.Kind != HostKindMalformed || !strings.Contains(he.Message, "not in a block from wabi_alloc") {
		t.Fatalf("%#v", err)
	}
	p := alloc(8, 8)
	defer free(p, 8, 8)
	hostCallHook = func(string, []byte) uint64 { return pack(p, 9) } // longer than the block
	if _, err := CallHost0[Unit]("f"); !errors.As(err, &he) || he.Kind != HostKindMalformed {
		t.Fatalf("%#v", err)
	}
}

// unencodable and panicky are declared in export_test.go.

func TestCallHostUnencodableArguments(t *testing.T) {
	fakeHost(t, func(string, []byte) uint64 {
		t.Fatal("the host was called")
		return 0
	})
	_, err := CallHost2[Unit]("f", 1, unencodable{})
	var he *HostError
	if !errors.As(err, &he) || he.Kind != HostKindEncode ||
		he.Message != "cannot encode the arguments of host function `f`: no way" {
		t.Fatalf("%#v", err)
	}
	// The encoder is usable again.
	hostCallHook = func(string, []byte) uint64 { return answer(t, okEnvelope(t, []byte{1})) }
	if v, err := CallHost0[uint8]("g"); err != nil || v != 1 {
		t.Fatal(v, err)
	}
}

// recurseExport is the conformance guest's recurse: 0 -> 0, else host descend(n).
func recurseExport(ptr, size uint32) uint64 {
	return Export1(ptr, size, func(n uint32) (uint32, error) {
		if n == 0 {
			return 0, nil
		}
		return CallHost1[uint32]("descend", n)
	})
}

func TestNestedCallsThroughTheHost(t *testing.T) {
	depth := 0
	fakeHost(t, func(name string, args []byte) uint64 {
		if name != "descend" {
			t.Fatalf("host function %q", name)
		}
		before := hx(args)
		n, err := Unmarshal[uint32](args)
		if err != nil {
			t.Fatal(err)
		}
		depth++
		// The nested call, with its input in a block from wabi_alloc (ABI section 6.2).
		in := mustMarshal(t, n-1)
		p := alloc(uint32(len(in)), 8)
		copy(blockBytes(blocks[p]), in)
		packed := recurseExport(p, uint32(len(in)))
		if uint32(packed) != uint32(len(outBuf)) {
			t.Fatal("packed length")
		}
		nested := parseEnvelope(t, append([]byte(nil), outBuf...)) // read before answering
		if nested.status != statusOk {
			t.Fatalf("nested call: %+v", nested)
		}
		r, err := Unmarshal[uint32](nested.body)
		if err != nil {
			t.Fatal(err)
		}
		if hx(args) != before {
			t.Fatal("the nested calls overwrote this call's arguments")
		}
		return answer(t, okEnvelope(t, mustMarshal(t, r+1)))
	})
	for _, n := range []uint32{0, 1, 7, 40} {
		depth = 0
		env := call(t, recurseExport, mustMarshal(t, n))
		got, err := Unmarshal[uint32](env.body)
		if env.status != statusOk || err != nil || got != n || depth != int(n) {
			t.Fatalf("recurse(%d): %+v %v %d, %d host calls", n, env, err, got, depth)
		}
	}
	if callDepth != 0 {
		t.Fatalf("call depth %d", callDepth)
	}
}

func TestPanicWhileEncodingHostArguments(t *testing.T) {
	fakeHost(t, func(string, []byte) uint64 { return answer(t, okEnvelope(t, []byte{0xc0})) })
	env := call(t, func(ptr, size uint32) uint64 {
		return Export0(ptr, size, func() (Unit, error) {
			return CallHost1[Unit]("f", panicky{})
		})
	}, nil)
	if env.status != statusPanic || env.message != "in MarshalMsg" {
		t.Fatalf("%+v", env)
	}
	// fakeHost's cleanup checks that no encoder is left taken.
}

func TestConfig(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	values := map[string]string{"a": "alpha", "empty": "", "edge": strings.Repeat("e", 256),
		"over": strings.Repeat("o", 257), "big": big}
	var caps []int
	configHook = func(key string, buf []byte) int32 {
		caps = append(caps, len(buf))
		v, ok := values[key]
		if !ok {
			return -1
		}
		if len(v) <= len(buf) {
			copy(buf, v)
		}
		return int32(len(v))
	}
	defer func() { configHook = nil }()
	for _, key := range []string{"a", "empty", "edge", "over", "big", "missing"} {
		caps = caps[:0]
		got, ok := Config(key)
		want, set := values[key]
		if got != want || ok != set {
			t.Fatalf("Config(%q) = %d bytes, %v", key, len(got), ok)
		}
		wantCaps := []int{256}
		if len(want) > 256 {
			wantCaps = append(wantCaps, len(want))
		}
		if len(caps) != len(wantCaps) || caps[0] != 256 || caps[len(caps)-1] != wantCaps[len(wantCaps)-1] {
			t.Fatalf("Config(%q): buffers %v, want %v", key, caps, wantCaps)
		}
	}
	// A value whose length changes between the calls is read until it fits.
	lens := []int32{300, 500, 400}
	configHook = func(key string, buf []byte) int32 {
		n := lens[0]
		lens = lens[1:]
		if int(n) <= len(buf) {
			copy(buf, strings.Repeat("z", int(n)))
		}
		return n
	}
	if got, ok := Config("k"); !ok || got != strings.Repeat("z", 400) {
		t.Fatal(len(got), ok)
	}
}

func TestNativeHostCallsPanic(t *testing.T) {
	for _, f := range []func(){
		func() { _, _ = CallHost0[Unit]("f") },
		func() { Config("k") },
	} {
		func() {
			defer func() {
				r, _ := recover().(string)
				if !strings.Contains(r, "need a wasm host") && !strings.Contains(r, "needs a wasm host") {
					t.Errorf("recovered %q", r)
				}
			}()
			f()
		}()
	}
	hostDepth = 0 // the panicking call left its encoder taken
}

func TestHostErrorKindNames(t *testing.T) {
	if HostKindBadArguments.String() != "bad arguments" || HostErrorKind(99).String() != "unknown host error kind 99" {
		t.Fatal(HostKindBadArguments.String())
	}
}
