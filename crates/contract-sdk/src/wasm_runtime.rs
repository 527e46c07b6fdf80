//! The module's allocator and panic handler on wasm32 (feature `runtime`, on by default).
#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

/// A bump allocator: an instance lives for one call, so memory is never handed back (except
/// the most recent allocation, which `dealloc` and `realloc` reuse). It grows the memory in
/// 64 KiB pages; the host refuses growth past its limit and the allocation then fails.
struct Bump;

/// The next free address, 0 before the first allocation.
static NEXT: AtomicUsize = AtomicUsize::new(0);

const PAGE: usize = 65_536;

unsafe extern "C" {
    /// The first address after the module's data and stack (defined by `wasm-ld`).
    static __heap_base: u8;
}

impl Bump {
    fn next(&self) -> usize {
        match NEXT.load(Ordering::Relaxed) {
            0 => core::ptr::addr_of!(__heap_base) as usize,
            next => next,
        }
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = match self.next().checked_next_multiple_of(layout.align()) {
            Some(start) => start,
            None => return core::ptr::null_mut(),
        };
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        let size = core::arch::wasm32::memory_size(0) * PAGE;
        if end > size {
            let pages = (end - size).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Only the last allocation can be given back.
        if (ptr as usize).checked_add(layout.size()) == Some(self.next()) {
            NEXT.store(ptr as usize, Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    crate::env::revert("contract panicked")
}
