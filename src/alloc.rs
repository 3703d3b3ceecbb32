//! The allocator the `factmine` binary and its benchmarks run on: mimalloc,
//! called the way it is fastest. Facts, candidates and their strings are
//! many small allocations made and freed on every worker thread.
//!
//! The `mimalloc` crate hands every request to `mi_malloc_aligned`, and
//! mimalloc 3 serves an aligned request from its plain size classes only
//! when the class's block size is a power of two: a 48-byte request takes
//! the aligned path's slower code and a 64-byte block. Here a request whose
//! alignment any block of its size class already has goes to `mi_malloc`
//! (and `mi_zalloc`, `mi_realloc`); others keep the aligned calls.
//!
//! Set it with `#[global_allocator] static A: factmine::alloc::MiMalloc =
//! factmine::alloc::MiMalloc;` (the library itself sets none).

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// mimalloc as a global allocator (see the module's documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct MiMalloc;

/// The largest alignment every block of mimalloc's size classes has, for
/// a size that is a multiple of it: block sizes are multiples of 8 bytes,
/// a size that is a multiple of 16 is served by a class whose blocks are
/// too, and a page's first block is 16-byte aligned (`MI_MAX_ALIGN_SIZE`).
const NATURAL_ALIGN: usize = 16;

/// Whether a plain mimalloc call returns memory aligned as a layout of
/// this size and alignment asks.
#[inline]
fn natural(size: usize, align: usize) -> bool {
    align <= NATURAL_ALIGN && size.is_multiple_of(align)
}

// SAFETY: every call returns memory from mimalloc sized and aligned for
// the layout asked for (plain calls only where `natural` holds, which
// mimalloc's size classes guarantee; aligned calls otherwise), or null;
// `dealloc` and `realloc` are given only pointers this allocator returned,
// and mimalloc frees and reallocates any of them, whichever call made it.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; mimalloc takes any size.
        unsafe {
            if natural(layout.size(), layout.align()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if natural(layout.size(), layout.align()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator; the new block keeps the
        // layout's alignment by the same rule as `alloc`.
        unsafe {
            if natural(new_size, layout.align()) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_is_aligned_as_its_layout_asks() {
        let a = MiMalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            let sizes = (1..=600).chain((608..70_000).step_by(208));
            for size in sizes.chain([100_000, 3 << 20]) {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: a non-zero size; each block is freed by the
                // same allocator, with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    p.write_bytes(0xab, size);
                    let q = a.realloc(p, layout, size * 2 + 24);
                    assert_eq!(q as usize % align, 0, "realloc to {}", size * 2 + 24);
                    assert_eq!(*q.add(size - 1), 0xab);
                    a.dealloc(q, Layout::from_size_align(size * 2 + 24, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
