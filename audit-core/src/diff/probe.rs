//! The build-time probe that makes tracking an auditable type whole an
//! error: `#[audit(track)]` on a type that contains one would serialize its
//! secret and ignored fields.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::marker::PhantomData;

/// Implemented by `#[derive(Auditable)]` for the type it derives, and here
/// for every container of such a type: what `#[audit(track)]` must never
/// serialize whole, since that would record its secret and ignored fields.
pub trait ContainsAudited {}

impl<T: ContainsAudited> ContainsAudited for Option<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for Box<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for std::rc::Rc<T> {}
impl<T: ?Sized + ContainsAudited> ContainsAudited for std::sync::Arc<T> {}
impl<T: ContainsAudited> ContainsAudited for Vec<T> {}
impl<T: ContainsAudited> ContainsAudited for [T] {}
impl<T: ContainsAudited, const N: usize> ContainsAudited for [T; N] {}
impl<T: ContainsAudited> ContainsAudited for BTreeSet<T> {}
impl<T: ContainsAudited, S> ContainsAudited for HashSet<T, S> {}
impl<K, V: ContainsAudited> ContainsAudited for BTreeMap<K, V> {}
impl<K, V: ContainsAudited, S> ContainsAudited for HashMap<K, V, S> {}

/// Asks, in a `const`, whether `T` contains an auditable type: the inherent
/// `AUDITED` below applies when `T: ContainsAudited`, and takes precedence
/// over [`NotAudited::AUDITED`], which applies otherwise. A generic type
/// parameter resolves to the latter: the probe cannot see through it.
pub struct Probe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized + ContainsAudited> Probe<T> {
    /// `T` contains an auditable type.
    pub const AUDITED: bool = true;
}

/// The fallback of [`Probe`].
pub trait NotAudited {
    /// `T` contains no auditable type.
    const AUDITED: bool = false;
}

impl<T: ?Sized> NotAudited for Probe<T> {}
