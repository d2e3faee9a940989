//! The build-time probe that makes tracking an auditable type whole an
//! error: `#[audit(track)]` on a type that contains one would serialize its
//! secret and ignored fields.
//!
//! Two halves. The derive reads the field's type as written and probes every
//! type it reaches through the standard containers (tuples, arrays, slices,
//! references, `Option`, `Result`, `Box`, `Rc`, `Arc`, `Cow`, `Vec`,
//! `VecDeque`, `LinkedList`, `BinaryHeap`, the sets, the maps' keys and
//! values, `Cell`, `RefCell`, `Mutex`, `RwLock`, `Reverse`, `Wrapping`,
//! `Bound`, the ranges...); here, [`ContainsAudited`] is implemented for the
//! containers of one type parameter, so that a type alias of one is seen
//! too. What neither sees: a generic type parameter of the struct; a type
//! alias of a tuple or of a `Result` (written out, their members are
//! looked into; an alias hides them, and a trait cannot say "either
//! member"); and a type of the user's that holds an auditable one without
//! deriving `Auditable` itself.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::num::{Saturating, Wrapping};
use std::ops::{Bound, Range, RangeFrom, RangeInclusive, RangeTo, RangeToInclusive};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Implemented by `#[derive(Auditable)]` for the type it derives (with
/// `Via = ()`), by a mirror's derive for the remote type it audits (with the
/// mirror as `Via`, which the orphan rule allows), and here for every
/// container of such a type: what `#[audit(track)]` must never serialize
/// whole, since that would record its secret and ignored fields.
pub trait ContainsAudited<Via = ()> {}

impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Option<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for Box<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for Rc<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for Arc<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for &T {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Vec<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for VecDeque<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for LinkedList<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for BinaryHeap<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for [T] {}
impl<T: ContainsAudited<V>, V, const N: usize> ContainsAudited<V> for [T; N] {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for BTreeSet<T> {}
impl<T: ContainsAudited<V>, V, S> ContainsAudited<V> for HashSet<T, S> {}
impl<K, T: ContainsAudited<V>, V> ContainsAudited<V> for BTreeMap<K, T> {}
impl<K, T: ContainsAudited<V>, V, S> ContainsAudited<V> for HashMap<K, T, S> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Cell<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for RefCell<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for Mutex<T> {}
impl<T: ?Sized + ContainsAudited<V>, V> ContainsAudited<V> for RwLock<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Reverse<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Wrapping<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Saturating<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for OnceCell<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for OnceLock<T> {}
impl<P: ContainsAudited<V>, V> ContainsAudited<V> for Pin<P> {}
impl<B: ?Sized + ToOwned + ContainsAudited<V>, V> ContainsAudited<V> for Cow<'_, B> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Bound<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for Range<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for RangeInclusive<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for RangeFrom<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for RangeTo<T> {}
impl<T: ContainsAudited<V>, V> ContainsAudited<V> for RangeToInclusive<T> {}

/// Asks, in a `const`, whether `T` contains an auditable type, written
/// `Probe::<T, _>::AUDITED`: the inherent `AUDITED` below applies when
/// `T: ContainsAudited<Via>` for some `Via` (inferred: `()` for a derived
/// type, the mirror for a remote one), and takes precedence over
/// [`NotAudited::AUDITED`], which applies otherwise (with `Via = ()`). A
/// generic type parameter resolves to the latter: the probe cannot see
/// through it.
pub struct Probe<T: ?Sized, Via = ()>(PhantomData<T>, PhantomData<Via>);

impl<T: ?Sized + ContainsAudited<Via>, Via> Probe<T, Via> {
    /// `T` contains an auditable type.
    pub const AUDITED: bool = true;
}

/// The fallback of [`Probe`].
pub trait NotAudited {
    /// `T` contains no auditable type.
    const AUDITED: bool = false;
}

impl<T: ?Sized> NotAudited for Probe<T, ()> {}
