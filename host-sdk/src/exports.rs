//! The exports an instance is called through (ABI.md section 3): checked once per module,
//! where their signatures are validated, and found by index in every instance.
//!
//! Finding an export by name hashes the name and type-checks the function; for a fresh
//! instance with its first call that was 30% of the host's instructions (about 7,900 of
//! 26,400). [`ExportIndex`] keeps each export's `wasmtime::ModuleExport`, and an instance gets a
//! typed function from it without either step.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use wabi_spec::names::{
    self, EXPORT_ABI_VERSION, EXPORT_ALLOC, EXPORT_FREE, EXPORT_INITIALIZE, EXPORT_SCRATCH,
    EXPORT_START,
};
use wasmtime::{
    AsContextMut, ExternType, FuncType, Instance, Memory, ModuleExport, TypedFunc, ValType,
    WasmParams, WasmResults,
};

use crate::error::{Error, Result};
use crate::imports::signature_text;
use crate::state::HostState;

/// Where the exports of one module are, for all its instances.
pub(crate) struct ExportIndex {
    memory: ModuleExport,
    abi_version: ModuleExport,
    alloc: ModuleExport,
    scratch: ModuleExport,
    /// `_initialize`, when the module exports one of type `() -> ()`.
    initialize: Option<ModuleExport>,
    /// The user functions, in export order.
    pub(crate) functions: Vec<String>,
    /// The export of each of `functions`.
    function_exports: Vec<ModuleExport>,
    /// Each user function's position in `functions`.
    by_name: HashMap<String, usize, BuildHasherDefault<NameHasher>>,
}

/// What an instance gets from an [`ExportIndex`]: a typed function, or `None` when the
/// instance is not of the indexed module.
type Found<P, R> = Option<TypedFunc<P, R>>;

impl ExportIndex {
    /// Check the ABI's required exports of `module` and index them with its user functions.
    pub(crate) fn new(module: &wasmtime::Module) -> Result<Self> {
        let functions = validate(module)?;
        let index = |name: &str| {
            module
                .get_export_index(name)
                .expect("validate() found this export")
        };
        let initialize = match module.get_export(EXPORT_INITIALIZE) {
            Some(ExternType::Func(f)) if sig_is(&f, &[], &[]) => Some(index(EXPORT_INITIALIZE)),
            _ => None,
        };
        let function_exports = functions.iter().map(|name| index(name)).collect();
        let by_name = functions
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        Ok(ExportIndex {
            memory: index("memory"),
            abi_version: index(EXPORT_ABI_VERSION),
            alloc: index(EXPORT_ALLOC),
            scratch: index(EXPORT_SCRATCH),
            initialize,
            functions,
            function_exports,
            by_name,
        })
    }

    /// The position of the user function `name` in [`ExportIndex::functions`].
    #[inline]
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// `memory` of `instance`.
    pub(crate) fn memory(&self, instance: &Instance, store: impl AsContextMut) -> Option<Memory> {
        instance
            .get_module_export(store, &self.memory)?
            .into_memory()
    }

    /// `wabi_abi_version` of `instance`.
    pub(crate) fn abi_version(&self, i: &Instance, s: impl AsContextMut) -> Found<(), u32> {
        // SAFETY: `validate` checked that it is `() -> i32`.
        unsafe { typed(i, s, &self.abi_version) }
    }

    /// `wabi_alloc` of `instance`, to be looked up at its first use ([`guest_alloc`]).
    pub(crate) fn alloc(&self, instance: Instance) -> LazyAlloc {
        LazyAlloc {
            instance,
            export: self.alloc,
            func: None,
        }
    }

    /// `wabi_scratch` of `instance`.
    pub(crate) fn scratch(&self, i: &Instance, s: impl AsContextMut) -> Found<(), u64> {
        // SAFETY: `validate` checked that it is `() -> i64`.
        unsafe { typed(i, s, &self.scratch) }
    }

    /// `_initialize` of `instance`, if the module has one (`Some(None)`: not of this module).
    pub(crate) fn initialize(&self, i: &Instance, s: impl AsContextMut) -> Option<Found<(), ()>> {
        let export = self.initialize.as_ref()?;
        // SAFETY: `new` indexed it only with the type `() -> ()`.
        Some(unsafe { typed(i, s, export) })
    }

    /// The user function at `position` (see [`ExportIndex::position`]) of `instance`.
    pub(crate) fn function(
        &self,
        position: usize,
        i: &Instance,
        s: impl AsContextMut,
    ) -> Found<(u32, u32), u64> {
        let export = &self.function_exports[position];
        // SAFETY: `validate` listed only functions of type `(i32, i32) -> i64`.
        unsafe { typed(i, s, export) }
    }
}

/// The hash of a function name for [`ExportIndex::position`]: a call by name hashes it every
/// time, and std's SipHash took about 190 of the 1,075 instructions of a call of `noop` by name.
/// This is the multiply-rotate hash of rustc's `FxHasher`, eight bytes at a time. It does not
/// resist chosen collisions, and needs not: the keys are the module's own export names, so a
/// module that collides its names only slows its own lookups.
#[derive(Default)]
struct NameHasher(u64);

impl NameHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for NameHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // The length first, so that names differing only in trailing zero bytes differ.
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(byte as u64);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `wabi_alloc(size, align) -> ptr` of an instance.
pub(crate) type GuestAlloc = TypedFunc<(u32, u32), u32>;

/// `wabi_alloc` of an instance, looked up when a call first needs it, not when the instance is
/// made: finding a function costs wasmtime about 1,100 instructions (it initialises the
/// function's reference), 5% of a fresh instance with its first call, and most instances never
/// call `wabi_alloc` (their inputs fit the scratch buffer).
pub(crate) struct LazyAlloc {
    instance: Instance,
    /// `wabi_alloc`, of type `(i32, i32) -> i32` (checked by `validate`).
    export: ModuleExport,
    func: Option<GuestAlloc>,
}

/// `wabi_alloc` of the store's instance, looked up now if no call needed it before; `None`
/// before the ABI exports are set up (a host function called during initialisation) or when
/// the instance lacks the export (it cannot: its module was validated).
pub(crate) fn guest_alloc(mut store: impl AsContextMut<Data = HostState>) -> Option<GuestAlloc> {
    let mut cx = store.as_context_mut();
    let lazy = &cx.data_mut().abi.as_mut()?.alloc;
    if let Some(func) = &lazy.func {
        return Some(func.clone());
    }
    let (instance, export) = (lazy.instance, lazy.export);
    // SAFETY: `validate` checked that `wabi_alloc` is `(i32, i32) -> i32`.
    let func: GuestAlloc = unsafe { typed(&instance, &mut cx, &export) }?;
    cx.data_mut().abi.as_mut()?.alloc.func = Some(func.clone());
    Some(func)
}

/// The function `export` of `instance` as a `TypedFunc<P, R>`, without a type check.
///
/// # Safety
///
/// `export` must be a function of the wasm type that `P -> R` stands for.
unsafe fn typed<P: WasmParams, R: WasmResults>(
    instance: &Instance,
    mut store: impl AsContextMut,
    export: &ModuleExport,
) -> Found<P, R> {
    let func = instance
        .get_module_export(&mut store, export)?
        .into_func()?;
    // SAFETY: the type is the caller's promise.
    Some(unsafe { TypedFunc::new_unchecked(&store, func) })
}

fn func_type(params: &[ValType], results: &[ValType]) -> String {
    signature_text(params.iter(), results.iter())
}

/// Check the ABI's required exports and list the user functions.
fn validate(module: &wasmtime::Module) -> Result<Vec<String>> {
    use ValType::{I32, I64};
    let required: [(&str, &[ValType], &[ValType]); 4] = [
        (EXPORT_ABI_VERSION, &[], &[I32]),
        (EXPORT_ALLOC, &[I32, I32], &[I32]),
        (EXPORT_FREE, &[I32, I32, I32], &[]),
        (EXPORT_SCRATCH, &[], &[I64]),
    ];
    let hint = "every wabi guest SDK exports it; build the guest with wabi-guest (Rust) or the wabi Go SDK, or implement abi-spec/ABI.md section 3";
    if module.get_export(EXPORT_START).is_some() {
        // Checked first: a command often has every other export (TinyGo's does), and would only
        // trap at its first call.
        return Err(Error::CommandModule);
    }
    if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
        return Err(Error::MissingExport {
            name: "memory".into(),
            hint,
        });
    }
    for (name, params, results) in required {
        match module.get_export(name) {
            None => {
                return Err(Error::MissingExport {
                    name: name.into(),
                    hint,
                })
            }
            Some(ExternType::Func(f)) if sig_is(&f, params, results) => {}
            Some(other) => {
                return Err(Error::ExportSignature {
                    name: name.into(),
                    expected: func_type(params, results),
                    found: describe(&other),
                })
            }
        }
    }
    let mut functions = Vec::new();
    for export in module.exports() {
        let name = export.name();
        if !names::is_user_function_name(name) {
            continue;
        }
        if let ExternType::Func(f) = export.ty() {
            if sig_is(&f, &[I32, I32], &[I64]) {
                functions.push(name.to_string());
            }
        }
    }
    Ok(functions)
}

fn sig_is(f: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    f.params().len() == params.len()
        && f.results().len() == results.len()
        && f.params().zip(params).all(|(a, b)| ValType::eq(&a, b))
        && f.results().zip(results).all(|(a, b)| ValType::eq(&a, b))
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => {
            let p: Vec<_> = f.params().collect();
            let r: Vec<_> = f.results().collect();
            signature_text(p.iter(), r.iter())
        }
        ExternType::Memory(_) => "a memory".into(),
        ExternType::Table(_) => "a table".into(),
        ExternType::Global(_) => "a global".into(),
        ExternType::Tag(_) => "a tag".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn names_hash_apart_and_every_lookup_finds_its_own() {
        let mut names: Vec<String> = (0..500).map(|i| format!("f{i}")).collect();
        // Lengths around the 8-byte words, shared prefixes, trailing zero bytes, the empty name.
        for extra in [
            "",
            "a",
            "a\0",
            "a\0\0",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\0",
        ] {
            names.push(extra.to_string());
        }
        names.push("x".repeat(64));
        names.push(format!("{}y", "x".repeat(63)));
        let map: HashMap<String, usize, BuildHasherDefault<NameHasher>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        assert_eq!(map.len(), names.len());
        for (i, name) in names.iter().enumerate() {
            assert_eq!(map.get(name.as_str()), Some(&i), "{name:?}");
        }
        assert_eq!(map.get("f500"), None);
        let hash = |s: &str| BuildHasherDefault::<NameHasher>::default().hash_one(s);
        let mut hashes: Vec<u64> = names.iter().map(|n| hash(n)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(
            hashes.len(),
            names.len(),
            "no two of these names share a hash"
        );
    }
}
