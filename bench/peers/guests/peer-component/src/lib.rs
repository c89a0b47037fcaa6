//! The benchmark workloads as a component (wit-bindgen); values cross in the canonical ABI.

wit_bindgen::generate!({ path: "../../wit", world: "bench" });

struct Bench;

impl Guest for Bench {
    fn noop() {}

    fn add(input: AddIn) -> AddOut {
        AddOut {
            sum: input.a.wrapping_add(input.b),
        }
    }

    fn echo(s: String) -> String {
        s
    }

    fn gateway(mut req: Request) -> Request {
        req.path.make_ascii_uppercase();
        req.headers.push(("x-plugin".into(), "wabi-bench".into()));
        req
    }

    fn bulk(data: Vec<u8>) -> BulkOut {
        BulkOut {
            len: data.len() as u64,
            checksum: data
                .iter()
                .fold(0u64, |sum, &b| sum.wrapping_add(u64::from(b))),
        }
    }
}

export!(Bench);
