//! The memory generated kernels allocate (arrays from `np.zeros`, `np.empty`, copies,
//! array expressions; lists and their growth): an arena per call on the calling thread.
//! A generated module calls [`kernel_alloc`] through its import `numwasm.nw_kernel_alloc`;
//! the engine copies what the kernel returns out of the arena and then frees the arena as
//! a whole when the call ends ([`CallArena`]), whatever the outcome, so an error or an
//! early return leaks nothing.
//!
//! A kernel that allocates in a loop keeps every allocation until the call ends (Numba
//! frees by reference count as it goes); a call that would need more than the memory has
//! gets a MemoryError from the allocating expression, never a trap.

use std::alloc::{Layout, alloc, alloc_zeroed, dealloc};
use std::cell::RefCell;

thread_local! {
    /// The live allocations of the call running on this thread.
    static ARENA: RefCell<Vec<(usize, Layout)>> = const { RefCell::new(Vec::new()) };
}

/// The largest alignment a kernel asks for (a `v128`).
const MAX_ALIGN: u32 = 16;

/// `size` bytes aligned to `align` (a power of two up to 16), zeroed unless `align` carries
/// the flag `ALLOC_UNZEROED`, owned by the call running on this thread; the address, or 0
/// when the memory is exhausted (the generated code raises MemoryError then). Addresses
/// are those of the wasm memory, which is why this only serves the wasm build's kernels.
#[must_use]
pub fn kernel_alloc(size: u32, align: u32) -> u32 {
    let zeroed = align & crate::back::wasm::ALLOC_UNZEROED as u32 == 0;
    let align = (align & 0xff).clamp(1, MAX_ALIGN).next_power_of_two();
    // A zero-size request still gets a distinct, valid address.
    let Ok(layout) = Layout::from_size_align(size.max(1) as usize, align as usize) else {
        return 0;
    };
    // SAFETY: the layout's size is not zero.
    let p = unsafe {
        if zeroed {
            alloc_zeroed(layout)
        } else {
            alloc(layout)
        }
    };
    if p.is_null() {
        return 0;
    }
    let Ok(addr) = u32::try_from(p as usize) else {
        // SAFETY: allocated just above with this layout.
        unsafe { dealloc(p, layout) };
        return 0;
    };
    ARENA.with(|a| a.borrow_mut().push((p as usize, layout)));
    addr
}

/// Frees the allocation at `addr` of this thread's arena now (a parallel loop's state,
/// which the generated code gives back when the loop ends); unknown addresses are ignored.
pub fn kernel_free(addr: u32) {
    let found = ARENA.with(|a| {
        let mut a = a.borrow_mut();
        let at = a.iter().rposition(|&(p, _)| p == addr as usize)?;
        Some(a.remove(at))
    });
    if let Some((p, layout)) = found {
        // SAFETY: allocated by `kernel_alloc` with this layout, and taken out of the
        // arena, so freed once.
        unsafe { dealloc(p as *mut u8, layout) };
    }
}

/// Takes the allocation at `addr` out of this thread's arena when it has exactly
/// `layout` (a result the engine keeps as its own buffer instead of copying it); false,
/// and nothing changes, otherwise.
pub(crate) fn arena_claim(addr: usize, layout: Layout) -> bool {
    ARENA.with(|a| {
        let mut a = a.borrow_mut();
        match a.iter().rposition(|&(p, _)| p == addr) {
            Some(at) if a[at].1 == layout => {
                a.remove(at);
                true
            }
            _ => false,
        }
    })
}

/// How many allocations this thread's arena holds: a mark to [`arena_release`] to.
#[must_use]
pub fn arena_mark() -> usize {
    ARENA.with(|a| a.borrow().len())
}

/// Frees the allocations made on this thread since `mark` (a chunk of a parallel loop
/// keeps nothing it allocated: its results are scalars).
pub fn arena_release(mark: usize) {
    let live = ARENA.with(|a| {
        let mut a = a.borrow_mut();
        let at = mark.min(a.len());
        a.split_off(at)
    });
    for (p, layout) in live {
        // SAFETY: as in `free_all`.
        unsafe { dealloc(p as *mut u8, layout) };
    }
}

/// The allocations made on this thread since `mark`, taken out of its arena (to hand to
/// the thread that owns the call: see [`arena_adopt`]).
#[must_use]
pub fn arena_take(mark: usize) -> Vec<(usize, Layout)> {
    ARENA.with(|a| {
        let mut a = a.borrow_mut();
        let at = mark.min(a.len());
        a.split_off(at)
    })
}

/// Makes allocations taken from another thread's arena part of this thread's, freed when
/// its call ends.
pub fn arena_adopt(live: Vec<(usize, Layout)>) {
    ARENA.with(|a| a.borrow_mut().extend(live));
}

/// The arena of one call: frees every allocation of the thread's arena when dropped.
pub(crate) struct CallArena(());

impl CallArena {
    /// Starts a call's arena (the thread's arena is empty between calls).
    pub(crate) fn new() -> Self {
        free_all();
        CallArena(())
    }
}

impl Drop for CallArena {
    fn drop(&mut self) {
        free_all();
    }
}

fn free_all() {
    let live = ARENA.with(|a| std::mem::take(&mut *a.borrow_mut()));
    for (p, layout) in live {
        // SAFETY: each entry was allocated by `kernel_alloc` with this layout and is
        // freed once: the list was taken out of the arena.
        unsafe { dealloc(p as *mut u8, layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_zeroed_aligned_and_freed_with_the_call() {
        // Natively the addresses may not fit 32 bits; then the allocator says 0.
        let arena = CallArena::new();
        for (size, align) in [(0, 1), (24, 8), (100, 16), (7, 3)] {
            let a = kernel_alloc(size, align);
            if a == 0 {
                continue;
            }
            assert_eq!(a % align.clamp(1, 16).next_power_of_two(), 0);
            // SAFETY: `a` is a live allocation of at least `size` bytes.
            let bytes =
                unsafe { std::slice::from_raw_parts(a as usize as *const u8, size as usize) };
            assert!(bytes.iter().all(|&b| b == 0));
        }
        drop(arena);
        assert!(ARENA.with(|a| a.borrow().is_empty()));
    }
}
