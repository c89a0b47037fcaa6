//! The "raw" baseline host: what a careful user writes on plain wasmtime without an SDK, for the
//! guest ABI of `guests/bench-raw` (alloc/dealloc + `f(ptr, len) -> (ptr << 32) | len`,
//! rmp-serde compact). Exports are looked up once, the encode buffer is reused, every guest
//! pointer is bounds-checked, and the output is decoded in place from guest memory before it is
//! freed.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasmtime::{Engine, InstancePre, Linker, Memory, Module, Store, TypedFunc};

/// A compiled raw guest.
pub struct RawModule {
    pre: InstancePre<()>,
}

/// One instance of a raw guest.
pub struct RawPlugin {
    store: Store<()>,
    instance: wasmtime::Instance,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    dealloc: TypedFunc<(u32, u32), ()>,
    buf: Vec<u8>,
}

/// A user function of a raw guest, looked up once.
#[derive(Clone)]
pub struct RawFunc(TypedFunc<(u32, u32), u64>);

impl RawModule {
    /// Compile a raw guest.
    pub fn new(engine: &Engine, wasm: &[u8]) -> RawModule {
        let module = Module::new(engine, wasm).expect("the raw guest compiles");
        Self::from_module(engine, &module)
    }

    /// Prepare instantiation of an already compiled module.
    pub fn from_module(engine: &Engine, module: &Module) -> RawModule {
        let linker = Linker::<()>::new(engine);
        RawModule {
            pre: linker
                .instantiate_pre(module)
                .expect("the raw guest imports nothing"),
        }
    }

    /// A fresh instance with its exports looked up.
    pub fn instantiate(&self) -> RawPlugin {
        let mut store = Store::new(self.pre.module().engine(), ());
        // Only matters on an engine with epoch interruption (WABI_BENCH_RAW_EPOCH=1): never stop.
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = self.pre.instantiate(&mut store).expect("instantiate");
        let memory = instance
            .get_memory(&mut store, "memory")
            .expect("memory export");
        let alloc = instance
            .get_typed_func(&mut store, "alloc")
            .expect("alloc export");
        let dealloc = instance
            .get_typed_func(&mut store, "dealloc")
            .expect("dealloc export");
        RawPlugin {
            store,
            instance,
            memory,
            alloc,
            dealloc,
            buf: Vec::new(),
        }
    }
}

impl RawPlugin {
    /// Look up a user function.
    pub fn func(&mut self, name: &str) -> RawFunc {
        RawFunc(
            self.instance
                .get_typed_func(&mut self.store, name)
                .unwrap_or_else(|e| panic!("export {name}: {e}")),
        )
    }

    /// The floor: a typed `() -> ()` function.
    pub fn empty(&mut self, name: &str) -> TypedFunc<(), ()> {
        self.instance
            .get_typed_func(&mut self.store, name)
            .unwrap_or_else(|e| panic!("export {name}: {e}"))
    }

    /// The store, to call a function from [`RawPlugin::empty`].
    pub fn store(&mut self) -> &mut Store<()> {
        &mut self.store
    }

    /// Call a function without input or output (one guest call).
    pub fn call_unit(&mut self, f: &RawFunc) {
        let packed = f.0.call(&mut self.store, (0, 0)).expect("call");
        assert_eq!(packed, 0, "a unit function returns nothing");
    }

    /// Encode `args`, copy them into a block from `alloc`, call, decode the result in place and
    /// free it: alloc, f, dealloc.
    pub fn call<A: Serialize + ?Sized, R: DeserializeOwned>(&mut self, f: &RawFunc, args: &A) -> R {
        self.buf.clear();
        rmp_serde::encode::write(&mut self.buf, args).expect("encode");
        let len = self.buf.len() as u32;
        let ptr = self.alloc.call(&mut self.store, len).expect("alloc");
        let data = self.memory.data_mut(&mut self.store);
        data.get_mut(ptr as usize..ptr as usize + len as usize)
            .expect("alloc returned a block inside memory")
            .copy_from_slice(&self.buf);
        let packed = f.0.call(&mut self.store, (ptr, len)).expect("call");
        let (out_ptr, out_len) = ((packed >> 32) as u32, packed as u32);
        let data = self.memory.data(&self.store);
        let out = data
            .get(out_ptr as usize..out_ptr as usize + out_len as usize)
            .expect("the output is inside memory");
        let result = rmp_serde::from_slice(out).expect("decode");
        self.dealloc
            .call(&mut self.store, (out_ptr, out_len))
            .expect("dealloc");
        result
    }
}
