//! Compile the benchmark guests (`guests/`) to wasm32-unknown-unknown in release mode with LTO.
//! They are small and share the `wasm-guests` target directory with the other guest builds, so
//! after the first build this is a no-op. Only the bench target (and clippy) runs this script:
//! `cargo test` does not build benches.

fn main() {
    let dir = wabi_guest_build::RustGuests::new("guests")
        .target("wasm32-unknown-unknown")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    println!("cargo:rustc-env=WABI_BENCH_WASM_DIR={}", dir.display());
    println!(
        "cargo:rustc-env=WABI_BENCH_OUT_DIR={}",
        std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")
    );
    // The bench guests of the other guest SDKs (W1 and W3 against the Rust guest), built by
    // their SDKs' scripts; a missing toolchain leaves the language out of the table, with why.
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut languages = String::from("/// The other languages' bench guests: (name, path or why not).\nconst LANGUAGE_GUESTS: &[(&str, Result<&str, &str>)] = &[\n");
    for (name, sdk) in [
        ("C", "c"),
        ("Zig", "zig"),
        ("AssemblyScript", "assemblyscript"),
    ] {
        let script = format!("../guest-sdk/{sdk}/bench/build.sh");
        let watch = format!("../guest-sdk/{sdk}");
        let out = out_dir.join(format!("bench_{sdk}.wasm"));
        let built = match wabi_guest_build::build_with_script(&script, &out, &[&watch]) {
            wabi_guest_build::GuestBuild::Built(path) => {
                format!("Ok({:?})", path.display().to_string())
            }
            wabi_guest_build::GuestBuild::Unavailable(why)
            | wabi_guest_build::GuestBuild::Failed(why) => {
                println!(
                    "cargo:warning={name} bench guest not built: {}",
                    why.lines().next().unwrap_or("")
                );
                format!("Err({why:?})")
            }
        };
        languages += &format!("    ({name:?}, {built}),\n");
    }
    languages += "];\n";
    std::fs::write(out_dir.join("languages.rs"), languages).expect("write languages.rs");
    println!("cargo:rerun-if-changed=src/common/types.rs");
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
}
