//! The inputs of the workloads and their expected outputs (host side only).

use super::types::{self, AddIn, AddOut, BulkOut, Request};

/// Every input, built once.
pub struct Inputs {
    /// W1.
    pub add: AddIn,
    /// W2: 1 KiB of ASCII.
    pub echo: String,
    /// W3: method, path, 20 headers of about 30 bytes, 4 KiB body.
    pub gateway: Request,
    /// W4: 1 MiB.
    pub bulk: Vec<u8>,
}

impl Inputs {
    /// Build the inputs.
    pub fn new() -> Inputs {
        let echo: String = (0..1024)
            .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789-_ ./"[i % 41]))
            .collect();
        let headers = (0..20)
            .map(|i| {
                // 13 + 17 = 30 bytes of name and value.
                (format!("x-header-{i:04}"), format!("value-{i:02}-abcdefgh"))
            })
            .collect();
        let gateway = Request {
            method: "POST".into(),
            path: "/api/v1/users/12345/orders".into(),
            headers,
            body: (0..4096u32).map(|i| (i * 31 % 251) as u8).collect(),
        };
        let bulk = (0..1u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let inputs = Inputs {
            add: AddIn {
                a: 1_000_000,
                b: 2345,
            },
            echo,
            gateway,
            bulk,
        };
        assert_eq!(inputs.echo.len(), 1024);
        assert_eq!(inputs.gateway.headers.len(), 20);
        assert!(inputs
            .gateway
            .headers
            .iter()
            .all(|(n, v)| n.len() + v.len() == 30));
        assert_eq!(inputs.gateway.body.len(), 4096);
        assert_eq!(inputs.bulk.len(), 1 << 20);
        inputs
    }

    /// W1's expected result.
    pub fn add_expected(&self) -> AddOut {
        types::add(self.add)
    }

    /// W3's expected result.
    pub fn gateway_expected(&self) -> Request {
        types::gateway(self.gateway.clone())
    }

    /// W4's expected result.
    pub fn bulk_expected(&self) -> BulkOut {
        types::bulk(&self.bulk)
    }
}
