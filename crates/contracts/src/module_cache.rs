//! A bounded, least-recently-used cache of parsed modules, keyed by the SHA-256 of their code.
//!
//! It only stores and evicts; what goes in (a module that parsed, validated and passed the
//! import checks) is the executor's decision (see [`WasmiExecutor`](crate::WasmiExecutor)).

use std::collections::{BTreeMap, HashMap};

/// Bounds on the cache of parsed modules of a [`WasmiExecutor`](crate::WasmiExecutor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleCacheLimits {
    /// Most modules kept; 0 turns the cache off.
    pub max_modules: usize,
    /// Most bytes of code kept, summed over the modules' wasm sizes. The memory a parsed module
    /// takes grows with its code (about four times the code size for the example contracts),
    /// so this bounds the cache's memory where a count of modules alone would not.
    pub max_code_bytes: usize,
}

impl ModuleCacheLimits {
    /// No cache: every call parses and checks its module.
    pub const DISABLED: Self = Self {
        max_modules: 0,
        max_code_bytes: 0,
    };
}

impl Default for ModuleCacheLimits {
    fn default() -> Self {
        Self {
            max_modules: 64,
            max_code_bytes: 16 * 1024 * 1024,
        }
    }
}

/// What a module cache holds, and how often it had the module asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleCacheStats {
    /// Modules kept.
    pub modules: usize,
    /// Their code's total size in bytes.
    pub code_bytes: usize,
    /// Lookups that found their module.
    pub hits: u64,
    /// Lookups that did not (the module was then parsed).
    pub misses: u64,
}

/// The SHA-256 of a module's code.
pub(crate) type CodeHash = [u8; 32];

struct Entry<M> {
    module: M,
    code_bytes: usize,
    last_used: u64,
}

/// The cache itself; the executor keeps it behind a mutex.
pub(crate) struct ModuleCache<M> {
    limits: ModuleCacheLimits,
    entries: HashMap<CodeHash, Entry<M>>,
    /// Each entry's hash under its `last_used` tick, so the least recently used comes first.
    by_last_use: BTreeMap<u64, CodeHash>,
    /// Counts lookups and insertions, to order the entries by use.
    clock: u64,
    code_bytes: usize,
    hits: u64,
    misses: u64,
}

impl<M: Clone> ModuleCache<M> {
    pub(crate) fn new(limits: ModuleCacheLimits) -> Self {
        Self {
            limits,
            entries: HashMap::new(),
            by_last_use: BTreeMap::new(),
            clock: 0,
            code_bytes: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// Whether anything can be cached at all (if not, the executor need not hash the code).
    pub(crate) fn enabled(&self) -> bool {
        self.limits.max_modules > 0 && self.limits.max_code_bytes > 0
    }

    /// The module of `hash`, now the most recently used, if it is cached.
    pub(crate) fn get(&mut self, hash: &CodeHash) -> Option<M> {
        let now = self.tick();
        let Some(entry) = self.entries.get_mut(hash) else {
            self.misses += 1;
            return None;
        };
        self.by_last_use.remove(&entry.last_used);
        entry.last_used = now;
        self.by_last_use.insert(now, *hash);
        self.hits += 1;
        Some(entry.module.clone())
    }

    /// Keeps `module` (of `code_bytes` bytes of code), evicting the least recently used modules
    /// until both bounds hold. A module larger than the whole byte bound is not kept: it would
    /// evict everything and still not fit.
    pub(crate) fn insert(&mut self, hash: CodeHash, module: M, code_bytes: usize) {
        if !self.enabled() || code_bytes > self.limits.max_code_bytes {
            return;
        }
        if self.entries.contains_key(&hash) {
            // Another thread parsed the same code at the same time and kept its module first.
            return;
        }
        while self.entries.len() >= self.limits.max_modules
            || self.code_bytes.saturating_add(code_bytes) > self.limits.max_code_bytes
        {
            if !self.evict_least_recently_used() {
                break;
            }
        }
        let now = self.tick();
        self.by_last_use.insert(now, hash);
        self.entries.insert(
            hash,
            Entry {
                module,
                code_bytes,
                last_used: now,
            },
        );
        self.code_bytes = self.code_bytes.saturating_add(code_bytes);
    }

    pub(crate) fn stats(&self) -> ModuleCacheStats {
        ModuleCacheStats {
            modules: self.entries.len(),
            code_bytes: self.code_bytes,
            hits: self.hits,
            misses: self.misses,
        }
    }

    /// Removes the least recently used module; false if the cache was empty.
    fn evict_least_recently_used(&mut self) -> bool {
        let Some((_, hash)) = self.by_last_use.pop_first() else {
            return false;
        };
        if let Some(entry) = self.entries.remove(&hash) {
            self.code_bytes = self.code_bytes.saturating_sub(entry.code_bytes);
        }
        true
    }

    fn tick(&mut self) -> u64 {
        // One tick per lookup or insertion: a u64 does not wrap in the life of a process.
        self.clock += 1;
        self.clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u8) -> CodeHash {
        [n; 32]
    }

    fn cache(max_modules: usize, max_code_bytes: usize) -> ModuleCache<u8> {
        ModuleCache::new(ModuleCacheLimits {
            max_modules,
            max_code_bytes,
        })
    }

    #[test]
    fn the_least_recently_used_module_goes_first() {
        let mut cache = cache(2, 1000);
        cache.insert(hash(1), 1, 10);
        cache.insert(hash(2), 2, 10);
        // 1 is used again, so 2 is now the least recently used.
        assert_eq!(cache.get(&hash(1)), Some(1));
        cache.insert(hash(3), 3, 10);
        assert_eq!(cache.get(&hash(2)), None);
        assert_eq!(cache.get(&hash(1)), Some(1));
        assert_eq!(cache.get(&hash(3)), Some(3));
        assert_eq!(
            cache.stats(),
            ModuleCacheStats {
                modules: 2,
                code_bytes: 20,
                hits: 3,
                misses: 1
            }
        );
    }

    #[test]
    fn the_byte_bound_evicts_as_many_modules_as_it_takes() {
        let mut cache = cache(10, 100);
        for n in 1..=4 {
            cache.insert(hash(n), n, 25);
        }
        assert_eq!(cache.stats().code_bytes, 100);
        // 60 more bytes: the three oldest must go.
        cache.insert(hash(5), 5, 60);
        assert_eq!(cache.stats().modules, 2);
        assert_eq!(cache.stats().code_bytes, 85);
        assert_eq!(cache.get(&hash(4)), Some(4));
        assert_eq!(cache.get(&hash(3)), None);
    }

    #[test]
    fn a_module_over_the_byte_bound_is_not_kept_and_evicts_nothing() {
        let mut cache = cache(10, 100);
        cache.insert(hash(1), 1, 50);
        cache.insert(hash(2), 2, 101);
        assert_eq!(cache.get(&hash(2)), None);
        assert_eq!(cache.get(&hash(1)), Some(1));
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let mut cache = ModuleCache::new(ModuleCacheLimits::DISABLED);
        assert!(!cache.enabled());
        cache.insert(hash(1), 1u8, 0);
        assert_eq!(cache.get(&hash(1)), None);
        assert_eq!(cache.stats().modules, 0);
    }

    #[test]
    fn inserting_a_cached_hash_again_changes_nothing() {
        let mut cache = cache(2, 100);
        cache.insert(hash(1), 1, 10);
        cache.insert(hash(1), 9, 10);
        assert_eq!(cache.stats().code_bytes, 10);
        assert_eq!(cache.get(&hash(1)), Some(1));
    }
}
