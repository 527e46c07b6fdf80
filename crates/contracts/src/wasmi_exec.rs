//! [`Executor`] on the `wasmi` interpreter.

use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};
use wasmi::{
    CompilationMode, Config, EnforcedLimits, Engine, ExternType, Linker, Module, Store, TrapCode,
    errors::{ErrorKind, InstantiationError},
};

use crate::module_cache::{CodeHash, ModuleCache, ModuleCacheLimits, ModuleCacheStats};
use crate::{
    EntryPoint, ExecError, Executor, HOST_MODULE, Host, Limits, MEMORY_EXPORT, Outcome, host,
    host_crypto,
};

/// Runs contracts with `wasmi`: fuel metering on, floating point refused at validation, no
/// `start` function, modules translated eagerly (all validation happens before the call), the
/// strict parsing limits of `wasmi` (numbers of functions, globals, segments, ...), and one
/// memory of at most [`Limits::max_memory_pages`].
///
/// The engine's call-depth limit is fixed when the executor is built (from
/// [`Limits::max_call_depth`] of the limits given to [`WasmiExecutor::new`] or
/// [`WasmiExecutor::with_module_cache`]).
///
/// Parsed modules are cached between calls (see [`ModuleCacheLimits`]), keyed by the SHA-256 of
/// their code. A module is cached once it has parsed, validated and passed the import checks,
/// which do not depend on the call; the checks that do (the code's size against
/// [`Limits::max_code_bytes`], the entry point's export, the memory's size against
/// [`Limits::max_memory_pages`]) run on every call. A module that fails is not cached, its error
/// is found again on the next call: keeping failures would let junk modules push useful ones
/// out, and finding one again costs no more than the first time, bounded by
/// [`Limits::max_code_bytes`]. The cache is behind a mutex, held only to look up or insert, so
/// one executor serves several threads.
///
/// Each module is parsed into an engine of its own: `wasmi` keeps every function it translates
/// until its engine is dropped, so one engine shared by all modules grows with every module it
/// ever parsed (measured: about 55 KB per uncached call of the counter example). With an engine
/// per module, a module's code is freed once it is evicted and no call still runs it.
pub struct WasmiExecutor {
    config: Config,
    cache: Mutex<ModuleCache<Module>>,
    caches_modules: bool,
}

impl WasmiExecutor {
    /// An executor whose engine limits the call depth to `limits.max_call_depth`, with the
    /// default module cache.
    pub fn new(limits: &Limits) -> Self {
        Self::with_module_cache(limits, ModuleCacheLimits::default())
    }

    /// An executor whose engine limits the call depth to `limits.max_call_depth`, caching
    /// parsed modules within `cache` ([`ModuleCacheLimits::DISABLED`]: parse on every call).
    pub fn with_module_cache(limits: &Limits, cache: ModuleCacheLimits) -> Self {
        let mut config = Config::default();
        config
            .consume_fuel(true)
            .floats(false)
            .allow_start_fn(false)
            .compilation_mode(CompilationMode::Eager)
            .enforced_limits(EnforcedLimits::strict())
            .set_max_recursion_depth(limits.max_call_depth.max(1))
            // Each module has an engine of its own (see above), and an engine keeps the stacks
            // of finished calls for reuse: up to about 1 MB each after a deep recursion, for
            // every cached module. A fresh stack per call costs about 0.4 µs instead.
            .set_max_cached_stacks(0);
        let cache = ModuleCache::new(cache);
        Self {
            config,
            caches_modules: cache.enabled(),
            cache: Mutex::new(cache),
        }
    }

    /// What the module cache holds and how often it had the module a call needed.
    pub fn module_cache_stats(&self) -> ModuleCacheStats {
        self.lock_cache().stats()
    }

    fn lock_cache(&self) -> MutexGuard<'_, ModuleCache<Module>> {
        // The lock is never held across anything that can panic short of an allocation
        // failure; and a cache left half-updated by one would only evict out of order.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The parsed module of `code`, its imports checked: from the cache, or parsed (outside the
    /// lock, so other calls are not held up), checked and then cached.
    fn module(&self, code: &[u8]) -> Result<Module, ExecError> {
        // Hashed outside the lock; not at all when nothing would be cached.
        let hash: Option<CodeHash> = self.caches_modules.then(|| Sha256::digest(code).into());
        if let Some(hash) = &hash
            && let Some(module) = self.lock_cache().get(hash)
        {
            return Ok(module);
        }
        let engine = Engine::new(&self.config);
        let module =
            Module::new(&engine, code).map_err(|e| ExecError::InvalidModule(e.to_string()))?;
        Self::check_imports(&module)?;
        if let Some(hash) = hash {
            self.lock_cache().insert(hash, module.clone(), code.len());
        }
        Ok(module)
    }

    /// Checks that a parsed module imports only host functions.
    fn check_imports(module: &Module) -> Result<(), ExecError> {
        for import in module.imports() {
            let known = import.module() == HOST_MODULE
                && (host::FUNCTIONS.contains(&import.name())
                    || host_crypto::FUNCTIONS.contains(&import.name()))
                && matches!(import.ty(), ExternType::Func(_));
            if !known {
                return Err(ExecError::UnknownImport {
                    module: import.module().to_owned(),
                    name: import.name().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Checks the exports of a parsed module that this call needs: the memory, within this
    /// call's limit, and the entry point.
    fn check_exports(module: &Module, entry: EntryPoint, limits: &Limits) -> Result<(), ExecError> {
        match module.get_export(MEMORY_EXPORT) {
            Some(ExternType::Memory(memory)) => {
                if memory.minimum() > u64::from(limits.max_memory_pages) {
                    return Err(ExecError::MemoryLimit {
                        max_pages: limits.max_memory_pages,
                    });
                }
            }
            Some(_) => {
                return Err(ExecError::BadExport(format!(
                    "`{MEMORY_EXPORT}` is not a memory"
                )));
            }
            None => {
                return Err(ExecError::BadExport(format!(
                    "no memory exported as `{MEMORY_EXPORT}`"
                )));
            }
        }
        let name = entry.export_name();
        match module.get_export(name) {
            Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty() => {
                Ok(())
            }
            Some(_) => Err(ExecError::BadExport(format!(
                "`{name}` is not a function of type () -> ()"
            ))),
            None => Err(ExecError::BadExport(format!(
                "no function exported as `{name}`"
            ))),
        }
    }
}

impl WasmiExecutor {
    /// Checks that `code` is a module this executor would run, for both entry points: its
    /// size, validation, imports (names and signatures), exports, memory and data segments.
    /// Runs nothing of the contract (modules cannot have a `start` function). The chain calls
    /// this when code is uploaded, so every module it stores can be loaded by every worker.
    pub fn check(&self, code: &[u8], limits: &Limits) -> Result<(), ExecError> {
        if code.len() > limits.max_code_bytes {
            return Err(ExecError::CodeTooLarge {
                len: code.len(),
                max: limits.max_code_bytes,
            });
        }
        let module = self.module(code)?;
        Self::check_exports(&module, EntryPoint::Call, limits)?;
        Self::check_exports(&module, EntryPoint::Query, limits)?;
        let engine = module.engine();
        let nothing = std::collections::BTreeMap::<Vec<u8>, Vec<u8>>::new();
        let host = Host {
            contract: [0; 32],
            caller: [0; 32],
            block_height: 0,
            block_time_ms: 0,
            storage: &nothing,
            key: None,
            randomness: crate::Randomness::Unavailable,
        };
        let mut store = Store::new(engine, host::State::new(host, &[], *limits, true));
        store.limiter(|state| &mut state.limiter);
        let mut linker = Linker::new(engine);
        host::define(&mut linker)
            .and_then(|()| host_crypto::define(&mut linker))
            .map_err(|e| ExecError::Internal(e.to_string()))?;
        linker
            .instantiate_and_start(&mut store, &module)
            .map(|_| ())
            .map_err(|e| instantiation_error(&mut store, &e, limits))
    }
}

impl Executor for WasmiExecutor {
    fn execute(
        &self,
        code: &[u8],
        entry: EntryPoint,
        input: &[u8],
        host: Host<'_>,
        limits: &Limits,
    ) -> Result<Outcome, ExecError> {
        self.execute_metered(code, entry, input, host, limits).0
    }
}

impl WasmiExecutor {
    /// [`Executor::execute`], and the fuel the call burned whether it succeeded or failed:
    /// what a failed command is charged (all of it when it ran out; 0 when it failed before
    /// running, for bad code or input).
    pub fn execute_metered(
        &self,
        code: &[u8],
        entry: EntryPoint,
        input: &[u8],
        host: Host<'_>,
        limits: &Limits,
    ) -> (Result<Outcome, ExecError>, u64) {
        let mut burned = 0;
        let result = self.run(code, entry, input, host, limits, &mut burned);
        (result, burned)
    }

    fn run(
        &self,
        code: &[u8],
        entry: EntryPoint,
        input: &[u8],
        host: Host<'_>,
        limits: &Limits,
        burned: &mut u64,
    ) -> Result<Outcome, ExecError> {
        if code.len() > limits.max_code_bytes {
            return Err(ExecError::CodeTooLarge {
                len: code.len(),
                max: limits.max_code_bytes,
            });
        }
        if input.len() > limits.max_input_bytes {
            return Err(ExecError::InputTooLarge {
                len: input.len(),
                max: limits.max_input_bytes,
            });
        }
        let module = self.module(code)?;
        Self::check_exports(&module, entry, limits)?;
        let engine = module.engine();

        let query = entry == EntryPoint::Query;
        let mut store = Store::new(engine, host::State::new(host, input, *limits, query));
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| ExecError::Internal(e.to_string()))?;

        let mut linker = Linker::new(engine);
        host::define(&mut linker)
            .and_then(|()| host_crypto::define(&mut linker))
            .map_err(|e| ExecError::Internal(e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| instantiation_error(&mut store, &e, limits))?;
        let memory = instance
            .get_memory(&store, MEMORY_EXPORT)
            .ok_or_else(|| ExecError::BadExport(format!("no memory `{MEMORY_EXPORT}`")))?;
        store.data_mut().memory = Some(memory);
        let func = instance
            .get_typed_func::<(), ()>(&store, entry.export_name())
            .map_err(|e| ExecError::BadExport(e.to_string()))?;

        let result = func.call(&mut store, ());
        let fuel_left = store.get_fuel().unwrap_or(0);
        *burned = limits.fuel.saturating_sub(fuel_left);
        if let Err(e) = result {
            let error = call_error(&mut store, &e, limits);
            if error == ExecError::OutOfFuel {
                // wasmi stops before a block it cannot pay for whole, with some fuel left:
                // running out is charged the whole budget.
                *burned = limits.fuel;
            }
            return Err(error);
        }
        let state = store.into_data();
        if let Some(fault) = state.fault {
            // A host function failed but the trap did not reach us: still a failure.
            return Err(fault);
        }
        Ok(Outcome {
            output: state.output,
            fuel_used: limits.fuel.saturating_sub(fuel_left),
            writes: state.writes,
            events: state.events,
        })
    }
}

/// The specific error for a failed instantiation: an import of the wrong type, or what
/// [`call_error`] says.
fn instantiation_error(
    store: &mut Store<host::State<'_>>,
    error: &wasmi::Error,
    limits: &Limits,
) -> ExecError {
    match error.kind() {
        ErrorKind::Linker(_)
        | ErrorKind::Instantiation(
            InstantiationError::FuncTypeMismatch { .. }
            | InstantiationError::ImportTypeMismatch { .. },
        ) => ExecError::BadImport(error.to_string()),
        _ => call_error(store, error, limits),
    }
}

/// The specific error for a failed instantiation or call.
fn call_error(
    store: &mut Store<host::State<'_>>,
    error: &wasmi::Error,
    limits: &Limits,
) -> ExecError {
    if let Some(fault) = store.data_mut().fault.take() {
        return fault;
    }
    match error.as_trap_code() {
        Some(TrapCode::OutOfFuel) => ExecError::OutOfFuel,
        Some(TrapCode::StackOverflow) => ExecError::StackOverflow,
        _ if store.data().limiter.refused => ExecError::MemoryLimit {
            max_pages: limits.max_memory_pages,
        },
        Some(code) => ExecError::Trap(code.to_string()),
        None => ExecError::Trap(error.to_string()),
    }
}
