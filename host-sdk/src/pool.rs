//! A pool of plugin instances for concurrent callers.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Result;
use crate::module::Module;
use crate::plugin::Plugin;

/// Hands each caller its own instance of one module. `Clone + Send + Sync`: share it between
/// threads.
///
/// Policy: an instance is reused as it is by later callers (guest state such as caches
/// persists between calls, as with any long-lived plugin); an instance that faulted (trap,
/// panic, limit) is discarded and replaced by a fresh one; at most `max_idle` idle instances are
/// kept, extra ones are dropped when returned.
///
/// On an async engine (cargo feature `async`) use `Pool::get_async` and `Pool::call_async`
/// from any number of tasks; [`Pool::get`] and [`Pool::call`] return [`crate::Error::Config`].
///
/// ```no_run
/// # fn main() -> wabi_host::Result<()> {
/// # let module: wabi_host::Module = todo!();
/// let pool = module.pool(16);
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         let pool = pool.clone();
///         s.spawn(move || pool.call::<_, String>("greet", "Ada"));
///     }
/// });
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    module: Module,
    idle: Mutex<Vec<Plugin>>,
    max_idle: usize,
}

impl Pool {
    /// A pool of instances of `module` keeping at most `max_idle` idle ones.
    pub fn new(module: &Module, max_idle: usize) -> Pool {
        Pool {
            inner: Arc::new(PoolInner {
                module: module.clone(),
                idle: Mutex::new(Vec::new()),
                max_idle,
            }),
        }
    }

    /// Take an instance (an idle one, or a new one); it returns to the pool when dropped.
    pub fn get(&self) -> Result<PooledPlugin> {
        self.engine()
            .require_mode(false, "Pool::get", "Pool::get_async")?;
        let plugin = match self.take_idle() {
            Some(p) => p,
            None => self.inner.module.instantiate()?,
        };
        Ok(self.lend(plugin))
    }

    /// [`Pool::get`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn get_async(&self) -> Result<PooledPlugin> {
        self.engine()
            .require_mode(true, "Pool::get_async", "Pool::get")?;
        let plugin = match self.take_idle() {
            Some(p) => p,
            None => self.inner.module.instantiate_async().await?,
        };
        Ok(self.lend(plugin))
    }

    /// Call `function` on a pooled instance (see [`Plugin::call`]).
    pub fn call<A: Serialize, R: DeserializeOwned>(&self, function: &str, args: A) -> Result<R> {
        self.engine()
            .require_mode(false, "Pool::call", "Pool::call_async")?;
        self.get()?.call(function, args)
    }

    /// Call `function` on a pooled instance on an async engine (see [`Plugin::call_async`]).
    ///
    /// ```no_run
    /// # async fn demo(module: wabi_host::Module) -> wabi_host::Result<()> {
    /// let pool = module.pool(16);
    /// let tasks: Vec<_> = (0..4)
    ///     .map(|i| {
    ///         let pool = pool.clone();
    ///         tokio::spawn(async move { pool.call_async::<_, String>("greet", i).await })
    ///     })
    ///     .collect();
    /// for task in tasks {
    ///     println!("{}", task.await.unwrap()?);
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "async")]
    pub async fn call_async<A, R>(&self, function: &str, args: A) -> Result<R>
    where
        A: Serialize + Send,
        R: DeserializeOwned,
    {
        self.engine()
            .require_mode(true, "Pool::call_async", "Pool::call")?;
        self.get_async().await?.call_async(function, args).await
    }

    fn engine(&self) -> &crate::Engine {
        &self.inner.module.inner.engine
    }

    fn take_idle(&self) -> Option<Plugin> {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
    }

    fn lend(&self, plugin: Plugin) -> PooledPlugin {
        PooledPlugin {
            plugin: Some(plugin),
            pool: self.inner.clone(),
        }
    }

    /// Keep `plugin` (an instance of this pool's module) as an idle instance.
    pub(crate) fn adopt(&self, plugin: Plugin) {
        drop(self.lend(plugin));
    }

    /// Idle instances right now.
    pub fn idle(&self) -> usize {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// The module the pool instantiates.
    pub fn module(&self) -> &Module {
        &self.inner.module
    }
}

/// An instance borrowed from a [`Pool`]; use it as a [`Plugin`].
pub struct PooledPlugin {
    plugin: Option<Plugin>,
    pool: Arc<PoolInner>,
}

impl Deref for PooledPlugin {
    type Target = Plugin;
    fn deref(&self) -> &Plugin {
        self.plugin.as_ref().expect("present until dropped")
    }
}

impl DerefMut for PooledPlugin {
    fn deref_mut(&mut self) -> &mut Plugin {
        self.plugin.as_mut().expect("present until dropped")
    }
}

impl Drop for PooledPlugin {
    fn drop(&mut self) {
        let Some(mut plugin) = self.plugin.take() else {
            return;
        };
        // A faulted instance was already discarded by the plugin; instantiating its
        // replacement is left to the next caller that needs one.
        if !plugin.is_live() {
            return;
        }
        plugin.reset_call_state();
        let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.pool.max_idle {
            idle.push(plugin);
        }
    }
}
