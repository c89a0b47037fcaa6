package wabi

// Export helpers: an exported function is one //go:wasmexport line and one call.
//
//	//go:wasmexport greet
//	func greet(ptr, size uint32) uint64 {
//		return wabi.Export2(ptr, size, func(p Person, greeting string) (string, error) {
//			return greeting + ", " + p.Name, nil
//		})
//	}
//
// ExportN decodes N arguments by the argument-list rule (ABI section 6.3: none = empty input, nil
// or an empty array; one = the bare value; two or more = an array of exactly N), calls f, and
// answers with an envelope:
//
//   - f returned (r, nil): Ok, the encoding of r (see [Encode]; a wabi.Unit result is nil);
//   - f returned an error: Error, with err.Error() as the message and, if err (or an error in its
//     Unwrap chain) is a [Marshaler], its encoding as the value; a [BadArgumentsError] gives a
//     BadArguments envelope instead;
//   - the arguments did not decode: BadArguments, with a message naming the argument, field and
//     element that failed and why;
//   - the result (or the error value) did not encode: BadResult;
//   - f panicked: Panic, with the panic's message and file:line (Go only: TinyGo cannot recover,
//     its panics trap and the host reports them as panics).
//
// Argument and result types are those of [Decode] and [Encode]: the built-in types, and any type
// with MarshalMsg (value or pointer receiver) / UnmarshalMsg (pointer receiver) methods. Take
// struct arguments by value (Person, not *Person).

// Export0 exports a function of no arguments.
func Export0[R any](ptr, size uint32, f func() (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.noArgs(); err != nil {
			return err
		}
		r, err := f()
		return result(e, r, err)
	})
}

// Export1 exports a function of one argument (the input is the bare argument).
func Export1[A, R any](ptr, size uint32, f func(A) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		a1, err := arg[A](d, 1, 1)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1)
		return result(e, r, err)
	})
}

// Export2 exports a function of 2 arguments (the input is an array of 2).
func Export2[A, B, R any](ptr, size uint32, f func(A, B) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(2); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 2)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 2)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2)
		return result(e, r, err)
	})
}

// Export3 exports a function of 3 arguments (the input is an array of 3).
func Export3[A, B, C, R any](ptr, size uint32, f func(A, B, C) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(3); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 3)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 3)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 3)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3)
		return result(e, r, err)
	})
}

// Export4 exports a function of 4 arguments (the input is an array of 4).
func Export4[A, B, C, D, R any](ptr, size uint32, f func(A, B, C, D) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(4); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 4)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 4)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 4)
		if err != nil {
			return err
		}
		a4, err := arg[D](d, 4, 4)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3, a4)
		return result(e, r, err)
	})
}

// Export5 exports a function of 5 arguments (the input is an array of 5).
func Export5[A, B, C, D, E, R any](ptr, size uint32, f func(A, B, C, D, E) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(5); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 5)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 5)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 5)
		if err != nil {
			return err
		}
		a4, err := arg[D](d, 4, 5)
		if err != nil {
			return err
		}
		a5, err := arg[E](d, 5, 5)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3, a4, a5)
		return result(e, r, err)
	})
}

// Export6 exports a function of 6 arguments (the input is an array of 6).
func Export6[A, B, C, D, E, F, R any](ptr, size uint32, f func(A, B, C, D, E, F) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(6); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 6)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 6)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 6)
		if err != nil {
			return err
		}
		a4, err := arg[D](d, 4, 6)
		if err != nil {
			return err
		}
		a5, err := arg[E](d, 5, 6)
		if err != nil {
			return err
		}
		a6, err := arg[F](d, 6, 6)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3, a4, a5, a6)
		return result(e, r, err)
	})
}

// Export7 exports a function of 7 arguments (the input is an array of 7).
func Export7[A, B, C, D, E, F, G, R any](ptr, size uint32, f func(A, B, C, D, E, F, G) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(7); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 7)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 7)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 7)
		if err != nil {
			return err
		}
		a4, err := arg[D](d, 4, 7)
		if err != nil {
			return err
		}
		a5, err := arg[E](d, 5, 7)
		if err != nil {
			return err
		}
		a6, err := arg[F](d, 6, 7)
		if err != nil {
			return err
		}
		a7, err := arg[G](d, 7, 7)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3, a4, a5, a6, a7)
		return result(e, r, err)
	})
}

// Export8 exports a function of 8 arguments (the input is an array of 8).
func Export8[A, B, C, D, E, F, G, H, R any](ptr, size uint32, f func(A, B, C, D, E, F, G, H) (R, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if err := d.argList(8); err != nil {
			return err
		}
		a1, err := arg[A](d, 1, 8)
		if err != nil {
			return err
		}
		a2, err := arg[B](d, 2, 8)
		if err != nil {
			return err
		}
		a3, err := arg[C](d, 3, 8)
		if err != nil {
			return err
		}
		a4, err := arg[D](d, 4, 8)
		if err != nil {
			return err
		}
		a5, err := arg[E](d, 5, 8)
		if err != nil {
			return err
		}
		a6, err := arg[F](d, 6, 8)
		if err != nil {
			return err
		}
		a7, err := arg[G](d, 7, 8)
		if err != nil {
			return err
		}
		a8, err := arg[H](d, 8, 8)
		if err != nil {
			return err
		}
		if err := d.endArgs(); err != nil {
			return err
		}
		r, err := f(a1, a2, a3, a4, a5, a6, a7, a8)
		return result(e, r, err)
	})
}

// ExportRaw exports a raw function (ABI section 6.4): f receives the input bytes exactly as the
// host sent them and its result bytes are the success body, with no MessagePack at all. Errors
// and panics are reported as for the other exports.
//
// in is a view of the input buffer, valid only until f returns: copy whatever you keep.
func ExportRaw(ptr, size uint32, f func(in []byte) ([]byte, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		out, err := f(d.buf)
		if err != nil {
			return err
		}
		e.WriteRaw(out)
		return nil
	})
}

// ExportPod exports a Pod function (ABI section 6.4): the input must be exactly inSize bytes (the
// argument struct, little-endian, no padding; 0 for none), otherwise the answer is BadArguments.
// f returns the result struct's bytes. in is valid only until f returns.
func ExportPod(ptr, size uint32, inSize int, f func(in []byte) ([]byte, error)) uint64 {
	return serve(ptr, size, func(d *Decoder, e *Encoder) error {
		if len(d.buf) != inSize {
			return &BadArgumentsError{Msg: "expected " + itoa(inSize) + " bytes of arguments, got " +
				itoa(len(d.buf))}
		}
		out, err := f(d.buf)
		if err != nil {
			return err
		}
		e.WriteRaw(out)
		return nil
	})
}
