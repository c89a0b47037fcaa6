//! A guest's result envelope and panic record, as arbitrary bytes: parsing never panics, never
//! reads past the bytes it was given, and whatever parses is exactly what the canonical writer
//! produces for the parsed value (no two byte strings mean the same envelope).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wabi_spec::layout::{Envelope, EnvelopeWriter, PanicRecord, Status};

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::parse(data) {
        let mut again = Vec::new();
        match envelope {
            Envelope::Ok(body) => EnvelopeWriter::ok(&mut again, body),
            Envelope::Error { message, value } => {
                assert!(value != Some(&[][..]), "an empty value is `None`");
                EnvelopeWriter::error(&mut again, message, value.unwrap_or(&[]))
            }
            Envelope::Panic(record) => EnvelopeWriter::panic(&mut again, &record),
            Envelope::BadArguments(m) => {
                EnvelopeWriter::message(&mut again, Status::BadArguments, m)
            }
            Envelope::BadResult(m) => EnvelopeWriter::message(&mut again, Status::BadResult, m),
        }
        assert_eq!(again, data, "{envelope:?} does not round-trip");
    }
    if let Ok(record) = PanicRecord::parse(data) {
        let mut again = Vec::new();
        record.write_to(&mut again);
        assert_eq!(again, data, "{record:?} does not round-trip");
    }
});
