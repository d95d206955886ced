//! A trace's span columns in one allocation.
//!
//! A `Vec` for each of a trace's sixteen span columns would be sixteen
//! allocations and 192 bytes of headers (12 each in wasm) in every trace's
//! box: most of what a trace of one span costs, and a file of a million
//! traces is mostly such traces. Here the columns share one block, room
//! for the same number of spans in each, and a column is a pointer and a
//! length into it (8 bytes in wasm): it reads as a slice, as a `Vec` does,
//! and grows only through its trace ([`crate::model::Trace`]), which alone
//! knows the room.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;

use crate::model::SPAN_BYTES;

/// Values of one span column, in the block of the trace that holds it.
///
/// A column belongs to its trace: moved into another trace (with
/// `std::mem::swap`) it would point at a block that is not that trace's.
/// Nothing does; the trace's methods are the only way to grow one.
///
/// `repr(C)`: a column of any type has the layout of a `Col<u8>`, which is
/// how the trace's block work handles them all with one piece of code
/// ([`Col::bytes_of`]).
#[repr(C)]
pub struct Col<T> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a column is a slice of values its trace owns alone (as a `Vec`).
unsafe impl<T: Send> Send for Col<T> {}
unsafe impl<T: Sync> Sync for Col<T> {}

impl<T> Default for Col<T> {
    fn default() -> Self {
        Col {
            ptr: NonNull::dangling(),
            len: 0,
        }
    }
}

impl<T> std::ops::Deref for Col<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` is aligned and non-null, and the first `len` values
        // from it are initialised values of the trace's block (which, as
        // any allocation, holds at most `isize::MAX` bytes: said, as a
        // `Vec` says it, so that no index is checked for overflow).
        unsafe {
            std::hint::assert_unchecked(self.len <= isize::MAX as usize / size_of::<T>().max(1));
            std::slice::from_raw_parts(self.ptr.as_ptr(), self.len)
        }
    }
}

impl<T> std::ops::DerefMut for Col<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as for `deref`; `&mut self` is the only way to the values.
        unsafe {
            std::hint::assert_unchecked(self.len <= isize::MAX as usize / size_of::<T>().max(1));
            std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len)
        }
    }
}

// Indexed as a `Vec` is, not through the slice (whose indexing is built in
// and inlined): the bounds check is then one function per column type, not
// code at every place a column is indexed (1.8 kB of the bundle).
impl<T, I: std::slice::SliceIndex<[T]>> std::ops::Index<I> for Col<T> {
    type Output = I::Output;
    #[inline]
    fn index(&self, index: I) -> &Self::Output {
        std::ops::Index::index(&**self, index)
    }
}

impl<T, I: std::slice::SliceIndex<[T]>> std::ops::IndexMut<I> for Col<T> {
    #[inline]
    fn index_mut(&mut self, index: I) -> &mut Self::Output {
        std::ops::IndexMut::index_mut(&mut **self, index)
    }
}

impl<'a, T> IntoIterator for &'a Col<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut Col<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Col<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq> PartialEq for Col<T> {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Col<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self[..] == other[..]
    }
}

impl Col<u8> {
    /// The column at `at` (one of any type, see [`Col`]) as bytes.
    ///
    /// # Safety
    /// `at` points at a `Col<T>`, borrowed as long as the result is used.
    pub(crate) unsafe fn bytes_of<'a>(at: *mut u8) -> &'a mut Col<u8> {
        &mut *at.cast::<Col<u8>>()
    }
    /// Where the values begin.
    pub(crate) fn start(&self) -> *const u8 {
        self.ptr.as_ptr()
    }
    /// Appends `n` values of `size` bytes from `from`, within `room` values.
    ///
    /// # Safety
    /// This is a column of values of `size` bytes whose part of its trace's
    /// block holds `room` values; `from` holds `n` values apart from it.
    pub(crate) unsafe fn append(&mut self, size: usize, room: usize, from: *const u8, n: usize) {
        // Past the room is never asked for (the trace grows it first).
        assert!(n <= room.saturating_sub(self.len));
        let to = self.ptr.as_ptr().add(self.len * size);
        // One span's value (the usual) moved by loads and stores of a
        // known size, not a call to copy memory (16 of them a span). The
        // columns' sizes: 1, 4, 8 and an id's.
        const ID: usize = size_of::<crate::model::IdKey>();
        match n * size {
            1 => std::ptr::copy_nonoverlapping(from, to, 1),
            4 => std::ptr::copy_nonoverlapping(from, to, 4),
            8 => std::ptr::copy_nonoverlapping(from, to, 8),
            ID => std::ptr::copy_nonoverlapping(from, to, ID),
            bytes => std::ptr::copy_nonoverlapping(from, to, bytes),
        }
        self.len += n;
    }
    /// Copies the values (of `size` bytes) to `to` and points there from
    /// now on.
    ///
    /// # Safety
    /// `to` is aligned for the column's values, apart from them, and has
    /// room for `len` of them for as long as the column is used.
    pub(crate) unsafe fn move_to(&mut self, size: usize, to: *mut u8) {
        std::ptr::copy_nonoverlapping(self.ptr.as_ptr(), to, self.len * size);
        self.ptr = NonNull::new_unchecked(to);
    }
}

/// The block a trace's span columns live in: room for `spans` spans in
/// every column, each column's part after the last (most aligned first).
pub struct SpanRoom {
    block: NonNull<u8>,
    spans: usize,
}

// SAFETY: the block is owned by its trace alone.
unsafe impl Send for SpanRoom {}
unsafe impl Sync for SpanRoom {}

impl Default for SpanRoom {
    fn default() -> Self {
        SpanRoom {
            block: NonNull::dangling(),
            spans: 0,
        }
    }
}

impl std::fmt::Debug for SpanRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "room for {} spans", self.spans)
    }
}

impl SpanRoom {
    /// A block for `spans` spans (no values in it yet).
    pub(crate) fn new(spans: usize) -> SpanRoom {
        let layout = Self::layout(spans);
        if layout.size() == 0 {
            return SpanRoom::default();
        }
        // SAFETY: the layout is not empty.
        let block = unsafe { alloc(layout) };
        let block = NonNull::new(block).unwrap_or_else(|| handle_alloc_error(layout));
        SpanRoom { block, spans }
    }
    fn layout(spans: usize) -> Layout {
        spans
            .checked_mul(SPAN_BYTES)
            .and_then(|b| Layout::from_size_align(b, 8).ok())
            .expect("a trace's span room overflows")
    }
    /// How many spans every column has room for.
    pub fn spans(&self) -> usize {
        self.spans
    }
    /// Where the part that begins `offset` bytes into the block begins.
    pub(crate) fn at(&self, offset: usize) -> *mut u8 {
        debug_assert!(offset <= self.spans * SPAN_BYTES);
        // SAFETY: within the block (or at its end).
        unsafe { self.block.as_ptr().add(offset) }
    }
}

impl Drop for SpanRoom {
    fn drop(&mut self) {
        let layout = Self::layout(self.spans);
        if layout.size() > 0 {
            // SAFETY: allocated in `new` with this layout.
            unsafe { dealloc(self.block.as_ptr(), layout) }
        }
    }
}
