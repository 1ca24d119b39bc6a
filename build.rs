//! The split release build (`--features split`, src/deferred.rs) needs the linker's relocations
//! in the wasm: `wasm-split-cli` follows them to decide which code moves into which chunk.
fn main() {
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    if split && wasm {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
