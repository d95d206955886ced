//! Room in the heap made at once, before a load allocates piece by piece.
//!
//! In wasm, Rust's allocator (dlmalloc) grows linear memory only by what the
//! allocation at hand needs, and each growth costs V8 far more than its
//! bytes (a million Zipkin spans decoded in 3.4 s instead of 4.0 with the
//! room made at once), and waits while the browser takes back another
//! thread's memory (an ended worker's). A block allocated and freed goes
//! back to the top of the heap, where later allocations are carved from
//! without growing memory again. Pages never written cost the machine
//! nothing.

/// Makes room for `bytes` more in the heap; too much to have is no error
/// (memory then grows as it would have).
pub fn reserve(bytes: usize) {
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_ok() {
        // Not optimised away: the allocation is the point.
        drop(std::hint::black_box(block));
    }
}

/// The largest allocation served from [`SmallFirst`]'s size classes.
pub const SMALL_MAX: usize = 64;
/// Size classes are this many bytes apart (and blocks this aligned; those
/// of a class of a multiple of 8 bytes are 8-aligned).
const GRAIN: usize = 4;
const CLASSES: usize = SMALL_MAX / GRAIN;
/// The smallest block: a free one holds the link to the next (4 bytes in
/// wasm; natively, where the tests run, 8).
const MIN_BLOCK: usize = std::mem::size_of::<*mut u8>();
/// What a class's blocks are cut from when its free list is empty.
const SLAB: usize = 64 << 10;

/// An allocator that serves allocations of up to [`SMALL_MAX`] bytes from
/// size classes 4 bytes apart (a free list each, refilled from 64 KiB
/// slabs of `inner`) and everything else from `inner`.
///
/// A file of a million one-span traces makes ~19 allocations of a few
/// bytes a trace (one per column, two for its tree); dlmalloc, wasm's allocator, spent ~80 %
/// of the page's time applying them in `malloc`, and took 16 bytes or more
/// for each (a header, and a chunk of at least 16). Here a block is its
/// class's size and taken by a pop or a bump: a column of one `u32` or one
/// byte takes 4 bytes. Freed blocks stay in their class for the next
/// allocation of that size.
///
/// Single-threaded: it is `Sync` only where the program has one thread
/// (wasm without atomics: the page and each worker are instances of their
/// own).
pub struct SmallFirst<A> {
    inner: A,
    state: std::cell::UnsafeCell<Classes>,
}

struct Classes {
    /// Each class's first free block; a free block holds the next one.
    free: [*mut u8; CLASSES],
    /// The slab being cut: its next block and its end.
    next: *mut u8,
    end: *mut u8,
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
// SAFETY: one thread only (see the type's docs).
unsafe impl<A: Sync> Sync for SmallFirst<A> {}

impl<A> SmallFirst<A> {
    pub const fn new(inner: A) -> Self {
        SmallFirst {
            inner,
            state: std::cell::UnsafeCell::new(Classes {
                free: [std::ptr::null_mut(); CLASSES],
                next: std::ptr::null_mut(),
                end: std::ptr::null_mut(),
            }),
        }
    }
}

/// The size class of `l`, or None for `inner`'s. An 8-aligned layout takes
/// a class of a multiple of 8 bytes.
fn class_of(l: std::alloc::Layout) -> Option<usize> {
    let size = l.size().max(1).next_multiple_of(l.align());
    (size <= SMALL_MAX && l.align() <= 8).then(|| (size - 1) / GRAIN)
}

/// The size of class `c`'s blocks.
fn block_size(c: usize) -> usize {
    ((c + 1) * GRAIN).max(MIN_BLOCK)
}

// SAFETY: a block is handed out once until it is freed: popped from its
// class's list, or cut from a slab past every block cut before. Blocks
// are GRAIN-aligned (slabs are, and sizes are multiples of GRAIN), those
// of a size that is a multiple of 8 are cut 8-aligned, and every block is
// at least a pointer wide (to hold the list's link).
unsafe impl<A: std::alloc::GlobalAlloc> std::alloc::GlobalAlloc for SmallFirst<A> {
    #[inline(never)]
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        let Some(c) = class_of(l) else {
            return self.inner.alloc(l);
        };
        let s = &mut *self.state.get();
        let head = s.free[c];
        if !head.is_null() {
            // A block of 12 bytes (natively) is narrower-aligned than a link.
            s.free[c] = head.cast::<*mut u8>().read_unaligned();
            return head;
        }
        let size = block_size(c);
        // A block of a multiple of 8 bytes (bit 2 of its size clear) starts
        // 8-aligned: 4 more bytes when `next` (4-aligned) is not.
        let skip = s.next as usize & !size & 4;
        let mut block = s.next.wrapping_add(skip);
        if block as usize + size > s.end as usize {
            block = self
                .inner
                .alloc(std::alloc::Layout::from_size_align_unchecked(SLAB, 8));
            if block.is_null() {
                return block;
            }
            // What was left of the last slab is too small for this block;
            // it is not used again.
            s.end = block.add(SLAB);
        }
        s.next = block.add(size);
        block
    }

    #[inline(never)]
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        let Some(c) = class_of(l) else {
            return self.inner.dealloc(p, l);
        };
        let s = &mut *self.state.get();
        p.cast::<*mut u8>().write_unaligned(s.free[c]);
        s.free[c] = p;
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, l: std::alloc::Layout) -> *mut u8 {
        if class_of(l).is_none() {
            // dlmalloc knows which memory is fresh and need not be zeroed.
            return self.inner.alloc_zeroed(l);
        }
        let p = self.alloc(l);
        if !p.is_null() {
            p.write_bytes(0, l.size());
        }
        p
    }

    #[inline(never)]
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, size: usize) -> *mut u8 {
        let to = std::alloc::Layout::from_size_align_unchecked(size, l.align());
        match (class_of(l), class_of(to)) {
            // Large to large: `inner` may grow the block where it is.
            (None, None) => self.inner.realloc(p, l, size),
            // Within one class: the block already has the room.
            (Some(a), Some(b)) if a == b => p,
            _ => {
                let q = self.alloc(to);
                if !q.is_null() {
                    q.copy_from_nonoverlapping(p, l.size().min(size));
                    self.dealloc(p, l);
                }
                q
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SmallFirst, SLAB, SMALL_MAX};
    use proptest::prelude::*;
    use std::alloc::{GlobalAlloc, Layout, System};

    #[test]
    fn an_impossible_reservation_is_no_error() {
        super::reserve(usize::MAX / 2);
        super::reserve(1 << 20);
    }

    /// What a test asks of the allocator.
    #[derive(Debug, Clone)]
    enum Op {
        Alloc {
            size: usize,
            align_log2: u32,
            zeroed: bool,
        },
        Free(usize),
        Realloc(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        // Sizes on both sides of the small limit, a few past a slab.
        let size = prop_oneof![1..=SMALL_MAX + 16, 1..=4 * SMALL_MAX, SLAB - 8..=SLAB + 8];
        prop_oneof![
            4 => (size.clone(), 0..5u32, any::<bool>())
                .prop_map(|(size, align_log2, zeroed)| Op::Alloc { size, align_log2, zeroed }),
            2 => any::<usize>().prop_map(Op::Free),
            2 => (any::<usize>(), size).prop_map(|(k, s)| Op::Realloc(k, s)),
        ]
    }

    /// A live block: where, its layout, and the byte it was filled with.
    struct Live {
        p: *mut u8,
        l: Layout,
        fill: u8,
    }

    fn intact(b: &Live) -> bool {
        // SAFETY: `b` is live and `l.size()` long.
        unsafe { std::slice::from_raw_parts(b.p, b.l.size()) }
            .iter()
            .all(|&x| x == b.fill)
    }

    proptest! {
        /// Any mix of allocations, frees and reallocations of any size:
        /// every live block is aligned as asked, overlaps no other, and
        /// keeps what was written in it (across a reallocation, up to
        /// the smaller size); a zeroed one starts zeroed.
        #[test]
        fn blocks_are_aligned_apart_and_keep_their_bytes(ops in prop::collection::vec(op(), 1..300)) {
            let a = SmallFirst::new(System);
            let mut live: Vec<Live> = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                let fill = n as u8;
                unsafe {
                    match op {
                        Op::Alloc { size, align_log2, zeroed } => {
                            let l = Layout::from_size_align(size, 1 << align_log2).unwrap();
                            let p = if zeroed { a.alloc_zeroed(l) } else { a.alloc(l) };
                            prop_assert!(!p.is_null());
                            prop_assert_eq!(p as usize % l.align(), 0);
                            if zeroed {
                                prop_assert!(std::slice::from_raw_parts(p, size).iter().all(|&x| x == 0));
                            }
                            p.write_bytes(fill, size);
                            live.push(Live { p, l, fill });
                        }
                        Op::Free(k) if !live.is_empty() => {
                            let b = live.swap_remove(k % live.len());
                            prop_assert!(intact(&b));
                            a.dealloc(b.p, b.l);
                        }
                        Op::Realloc(k, size) if !live.is_empty() => {
                            let k = k % live.len();
                            let b = &live[k];
                            prop_assert!(intact(b));
                            let p = a.realloc(b.p, b.l, size);
                            prop_assert!(!p.is_null());
                            let kept = b.l.size().min(size);
                            prop_assert!(std::slice::from_raw_parts(p, kept).iter().all(|&x| x == b.fill));
                            let l = Layout::from_size_align(size, b.l.align()).unwrap();
                            prop_assert_eq!(p as usize % l.align(), 0);
                            p.write_bytes(fill, size);
                            live[k] = Live { p, l, fill };
                        }
                        _ => {}
                    }
                }
                let mut spans: Vec<(usize, usize)> =
                    live.iter().map(|b| (b.p as usize, b.p as usize + b.l.size())).collect();
                spans.sort_unstable();
                prop_assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "blocks overlap");
            }
            for b in &live {
                prop_assert!(intact(b));
                unsafe { a.dealloc(b.p, b.l) };
            }
        }
    }

    #[test]
    fn a_freed_small_block_is_the_next_of_its_size_and_small_blocks_are_packed() {
        let a = SmallFirst::new(System);
        let l = Layout::from_size_align(4, 4).unwrap();
        unsafe {
            // Cut one after another from a slab, each its class's size (4
            // bytes for 4 in wasm, a pointer's 8 natively), not 16 or more
            // as a general allocator's.
            let x = a.alloc(l);
            let y = a.alloc(l);
            assert_eq!(y as usize - x as usize, super::MIN_BLOCK);
            // Twelve bytes take twelve; a block of a multiple of 8 bytes
            // after them starts 8-aligned.
            let twelve = Layout::from_size_align(12, 4).unwrap();
            let (p, q) = (a.alloc(twelve), a.alloc(twelve));
            assert_eq!(q as usize - p as usize, 12);
            assert_eq!(
                a.alloc(Layout::from_size_align(8, 4).unwrap()) as usize % 8,
                0
            );
            a.dealloc(x, l);
            // Another class does not take it; the same class does.
            let other = a.alloc(Layout::from_size_align(24, 8).unwrap());
            assert_ne!(other, x);
            assert_eq!(a.alloc(l), x);
            // Within its class a block changes size where it is.
            assert_eq!(a.realloc(q, twelve, 9), q);
        }
    }
}
