//! [`Executor`] on the `wasmi` interpreter.

use wasmi::{
    CompilationMode, Config, EnforcedLimits, Engine, ExternType, Linker, Module, Store, TrapCode,
    errors::{ErrorKind, InstantiationError},
};

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
/// [`Limits::max_call_depth`] of the limits given to [`WasmiExecutor::new`]).
pub struct WasmiExecutor {
    engine: Engine,
}

impl WasmiExecutor {
    /// An executor whose engine limits the call depth to `limits.max_call_depth`.
    pub fn new(limits: &Limits) -> Self {
        let mut config = Config::default();
        config
            .consume_fuel(true)
            .floats(false)
            .allow_start_fn(false)
            .compilation_mode(CompilationMode::Eager)
            .enforced_limits(EnforcedLimits::strict())
            .set_max_recursion_depth(limits.max_call_depth.max(1));
        Self {
            engine: Engine::new(&config),
        }
    }

    /// Checks the imports and exports of a parsed module.
    fn check_module(module: &Module, entry: EntryPoint, limits: &Limits) -> Result<(), ExecError> {
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
        let module =
            Module::new(&self.engine, code).map_err(|e| ExecError::InvalidModule(e.to_string()))?;
        Self::check_module(&module, EntryPoint::Call, limits)?;
        Self::check_module(&module, EntryPoint::Query, limits)?;
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
        let mut store = Store::new(&self.engine, host::State::new(host, &[], *limits, true));
        store.limiter(|state| &mut state.limiter);
        let mut linker = Linker::new(&self.engine);
        host::define(&mut linker)
            .and_then(|()| host_crypto::define(&mut linker))
            .map_err(|e| ExecError::Internal(e.to_string()))?;
        linker
            .instantiate_and_start(&mut store, &module)
            .map(|_| ())
            .map_err(|e| match e.kind() {
                ErrorKind::Linker(_)
                | ErrorKind::Instantiation(
                    InstantiationError::FuncTypeMismatch { .. }
                    | InstantiationError::ImportTypeMismatch { .. },
                ) => ExecError::BadImport(e.to_string()),
                _ => call_error(&mut store, &e, limits),
            })
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
        let module =
            Module::new(&self.engine, code).map_err(|e| ExecError::InvalidModule(e.to_string()))?;
        Self::check_module(&module, entry, limits)?;

        let query = entry == EntryPoint::Query;
        let mut store = Store::new(&self.engine, host::State::new(host, input, *limits, query));
        store.limiter(|state| &mut state.limiter);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| ExecError::Internal(e.to_string()))?;

        let mut linker = Linker::new(&self.engine);
        host::define(&mut linker)
            .and_then(|()| host_crypto::define(&mut linker))
            .map_err(|e| ExecError::Internal(e.to_string()))?;
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| match e.kind() {
                ErrorKind::Linker(_)
                | ErrorKind::Instantiation(
                    InstantiationError::FuncTypeMismatch { .. }
                    | InstantiationError::ImportTypeMismatch { .. },
                ) => ExecError::BadImport(e.to_string()),
                _ => call_error(&mut store, &e, limits),
            })?;
        let memory = instance
            .get_memory(&store, MEMORY_EXPORT)
            .ok_or_else(|| ExecError::BadExport(format!("no memory `{MEMORY_EXPORT}`")))?;
        store.data_mut().memory = Some(memory);
        let func = instance
            .get_typed_func::<(), ()>(&store, entry.export_name())
            .map_err(|e| ExecError::BadExport(e.to_string()))?;

        let result = func.call(&mut store, ());
        let fuel_left = store.get_fuel().unwrap_or(0);
        if let Err(e) = result {
            return Err(call_error(&mut store, &e, limits));
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
