//! The README's demo: load the `hello` example plugin and call it with typed values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wabi_host::{Engine, Error, Module};

#[derive(Serialize, Deserialize, Debug)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
}

#[derive(Deserialize, Debug)]
struct Denied {
    status: u16,
    reason: String,
}

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let module = Module::from_file(&engine, wabi_examples::HELLO_WASM)?;
    let mut plugin = module.instantiate()?;
    println!("plugin exports: {}", module.functions().join(", "));

    let greeting: String = plugin.call("greet", "wabi")?;
    println!("greet(\"wabi\") -> {greeting:?}");

    let request = Request {
        method: "GET".into(),
        path: "/api/users".into(),
        headers: BTreeMap::from([("host".into(), "example.com".into())]),
    };
    let transformed: Request = plugin.call("transform", &request)?;
    println!("transform({request:?})\n  -> {transformed:?}");

    let blocked = Request {
        path: "/admin".into(),
        ..request
    };
    match plugin.call::<_, Request>("transform", &blocked) {
        Err(Error::Guest { error, .. }) => {
            let denied: Denied = error.value_as().expect("the error has a value")?;
            println!(
                "transform(/admin) -> refused: {:?} (status {}, reason {:?})",
                error.message, denied.status, denied.reason
            );
        }
        other => println!("transform(/admin) -> unexpected {other:?}"),
    }
    Ok(())
}
