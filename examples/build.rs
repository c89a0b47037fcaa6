//! Compile the example guests to wasm so `cargo run -p wabi-examples --bin demo` works from a
//! clean clone.

fn main() {
    let dir = wabi_guest_build::RustGuests::new("guests")
        .target("wasm32-unknown-unknown")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "cargo:rustc-env=WABI_EXAMPLE_HELLO={}",
        dir.join("hello.wasm").display()
    );
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
}
