//! Typed element buffers: owned (`Buffer`), borrowed (`BufferRef`) and mutable
//! (`BufferMut`), one variant per dtype.

use super::DType;
use super::Scalar;
use super::elem::Elem;

macro_rules! buffers {
    ($($v:ident: $t:ty),*) => {
        /// An owned vector of elements of one dtype.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Buffer { $($v(Vec<$t>)),* }

        /// Borrowed elements of one dtype.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum BufferRef<'a> { $($v(&'a [$t])),* }

        /// Mutably borrowed elements of one dtype (a caller-provided output).
        #[derive(Debug, PartialEq)]
        pub enum BufferMut<'a> { $($v(&'a mut [$t])),* }

        $(impl From<Vec<$t>> for Buffer {
            fn from(v: Vec<$t>) -> Self { Buffer::$v(v) }
        }
        impl<'a> From<&'a [$t]> for BufferRef<'a> {
            fn from(v: &'a [$t]) -> Self { BufferRef::$v(v) }
        }
        impl<'a> From<&'a mut [$t]> for BufferMut<'a> {
            fn from(v: &'a mut [$t]) -> Self { BufferMut::$v(v) }
        })*

        impl Buffer {
            #[must_use]
            pub fn dtype(&self) -> DType { match self { $(Buffer::$v(_) => DType::$v),* } }
            #[must_use]
            pub fn len(&self) -> usize { match self { $(Buffer::$v(x) => x.len()),* } }
            #[must_use]
            pub fn is_empty(&self) -> bool { self.len() == 0 }
            #[must_use]
            pub fn as_ref(&self) -> BufferRef<'_> { match self { $(Buffer::$v(x) => BufferRef::$v(x)),* } }
            pub fn as_mut(&mut self) -> BufferMut<'_> { match self { $(Buffer::$v(x) => BufferMut::$v(x)),* } }
            /// `n` zeros of dtype `d`.
            #[must_use]
            pub fn zeros(d: DType, n: usize) -> Buffer {
                match d { $(DType::$v => Buffer::$v(vec![<$t>::default(); n])),* }
            }
            /// `n` zeros of dtype `d`, or `None` if the allocation fails.
            #[must_use]
            pub fn try_zeros(d: DType, n: usize) -> Option<Buffer> {
                match d { $(DType::$v => {
                    let mut v: Vec<$t> = Vec::new();
                    v.try_reserve_exact(n).ok()?;
                    v.resize(n, <$t>::default());
                    Some(Buffer::$v(v))
                }),* }
            }
            /// `n` elements of dtype `d` copied from the bytes at `src`, or `None` if the
            /// allocation fails (no zeroing first: the copy writes every byte).
            ///
            /// # Safety
            /// `src` must point to `n * d.size()` readable bytes (any alignment).
            #[must_use]
            pub unsafe fn try_copy_from(d: DType, src: *const u8, n: usize) -> Option<Buffer> {
                match d { $(DType::$v => {
                    let mut v: Vec<$t> = Vec::new();
                    v.try_reserve_exact(n).ok()?;
                    // SAFETY: the caller's promise for `src`; `v` has room for `n`
                    // elements, every byte of which the copy writes before `set_len`.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            src,
                            v.as_mut_ptr().cast::<u8>(),
                            n * std::mem::size_of::<$t>(),
                        );
                        v.set_len(n);
                    }
                    Some(Buffer::$v(v))
                }),* }
            }
            /// The elements of dtype `d` that a block at `addr` holds, taken over as the
            /// buffer's own memory (`len` elements, room for `cap`) when `claim` agrees to
            /// hand over a block of exactly the layout a `Vec` of that capacity has;
            /// `None` otherwise (and for `bool`, whose bytes could be other than 0 and 1).
            ///
            /// # Safety
            /// When `claim` returns true, the block at `addr` must have been allocated
            /// by the global allocator with the layout `claim` was given, hold `len`
            /// initialised elements, and belong to nobody else from then on.
            #[must_use]
            pub unsafe fn adopt(
                d: DType,
                addr: usize,
                len: usize,
                cap: usize,
                claim: impl FnOnce(std::alloc::Layout) -> bool,
            ) -> Option<Buffer> {
                if d == DType::Bool || cap == 0 || len > cap {
                    return None;
                }
                match d { $(DType::$v => {
                    let layout = std::alloc::Layout::array::<$t>(cap).ok()?;
                    if !claim(layout) {
                        return None;
                    }
                    // SAFETY: the caller's promise once `claim` agreed.
                    Some(Buffer::$v(unsafe { Vec::from_raw_parts(addr as *mut $t, len, cap) }))
                }),* }
            }
            /// Element `i` as a scalar.
            #[must_use]
            pub fn get(&self, i: usize) -> Scalar { self.as_ref().get(i) }
            /// Collects scalars (cast to `d`) into a buffer.
            #[must_use]
            pub fn from_scalars(d: DType, it: impl IntoIterator<Item = Scalar>) -> Buffer {
                match d { $(DType::$v => Buffer::$v(it.into_iter().map(|s| s.cast_to::<$t>()).collect())),* }
            }
        }

        impl<'a> BufferRef<'a> {
            /// The first `n` elements (all of them when there are fewer).
            #[must_use]
            pub fn prefix(&self, n: usize) -> BufferRef<'a> { match *self { $(BufferRef::$v(x) => BufferRef::$v(&x[..n.min(x.len())])),* } }
            #[must_use]
            pub fn dtype(&self) -> DType { match self { $(BufferRef::$v(_) => DType::$v),* } }
            #[must_use]
            pub fn len(&self) -> usize { match self { $(BufferRef::$v(x) => x.len()),* } }
            #[must_use]
            pub fn is_empty(&self) -> bool { self.len() == 0 }
            #[must_use]
            pub fn get(&self, i: usize) -> Scalar { match self { $(BufferRef::$v(x) => x[i].to_scalar()),* } }
            #[must_use]
            pub fn to_owned(&self) -> Buffer { match self { $(BufferRef::$v(x) => Buffer::$v(x.to_vec())),* } }
            /// The start of the elements, for the VM's kernels.
            #[must_use]
            pub fn as_ptr(&self) -> *const u8 { match self { $(BufferRef::$v(x) => x.as_ptr().cast()),* } }
        }

        impl BufferMut<'_> {
            #[must_use]
            pub fn dtype(&self) -> DType { match self { $(BufferMut::$v(_) => DType::$v),* } }
            #[must_use]
            pub fn len(&self) -> usize { match self { $(BufferMut::$v(x) => x.len()),* } }
            #[must_use]
            pub fn is_empty(&self) -> bool { self.len() == 0 }
            /// The start of the elements, for the VM's kernels.
            pub fn as_mut_ptr(&mut self) -> *mut u8 { match self { $(BufferMut::$v(x) => x.as_mut_ptr().cast()),* } }
        }
    };
}

buffers!(Bool: bool, I8: i8, I16: i16, I32: i32, I64: i64, U8: u8, U16: u16, U32: u32, U64: u64, F32: f32, F64: f64);
