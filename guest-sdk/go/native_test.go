//go:build !wasm && !tinygo.wasm

// Tests of what differs outside WebAssembly: the log hook, and AbortOnPanic (which in
// WebAssembly ends the instance through the wabi.panic import).

package wabi

import (
	"strings"
	"testing"
)

func TestLogging(t *testing.T) {
	var got []string
	logHook = func(level uint32, msg string) { got = append(got, itoa(int(level))+":"+msg) }
	defer func() { logHook = nil }()
	Trace("t")
	Debug("d")
	Info("i")
	Warn("w")
	Error("e")
	Log(LevelInfo, "")
	Log(Level(9), "x")
	if strings.Join(got, ",") != "0:t,1:d,2:i,3:w,4:e,2:,9:x" {
		t.Fatal(got)
	}
}

func TestAbortOnPanic(t *testing.T) {
	AbortOnPanic = true
	defer func() {
		AbortOnPanic = false
		if r := recover(); r != "abort me" {
			t.Fatalf("recovered %#v", r)
		}
		if callDepth != 0 {
			t.Fatalf("call depth %d", callDepth)
		}
	}()
	call(t, func(ptr, size uint32) uint64 {
		return Export0(ptr, size, func() (Unit, error) { panic("abort me") })
	}, nil)
	t.Fatal("not aborted")
}
