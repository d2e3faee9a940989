//! A diff in which nothing changed allocates nothing; a change allocates only
//! for what it records.
#![allow(unsafe_code)] // A counting global allocator cannot be written without it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use audit_core::Auditable;
use serde::Serialize;

/// Counts the allocations made by the current thread.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (result, ALLOCATIONS.with(Cell::get) - before)
}

#[derive(Clone, Serialize, Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    owner: String,
    #[audit(secret)]
    title: String,
    #[audit(secret, fingerprint)]
    api_token: String,
    #[audit(ignore)]
    status: String,
    #[audit(track)]
    archived: bool,
    #[audit(track)]
    labels: BTreeMap<String, String>,
    #[audit(track)]
    tags: Vec<String>,
    #[audit(track)]
    note: Option<String>,
}

fn chat() -> Chat {
    Chat {
        id: 1,
        owner: "ada".into(),
        title: "Plans".into(),
        api_token: "tok-1".into(),
        status: "running".into(),
        archived: false,
        labels: BTreeMap::from([("team".into(), "core".into())]),
        tags: vec!["a".into(), "b".into()],
        note: Some("n".into()),
    }
}

#[test]
fn unchanged_diff_allocates_nothing() {
    let old = chat();
    let new = Chat {
        status: "waiting".into(),
        ..old.clone()
    };
    let (diff, allocations) = allocations_during(|| audit_core::diff(&old, &new));
    assert!(diff.is_empty());
    assert_eq!(allocations, 0);
}

#[test]
fn secret_change_allocates_only_the_list_of_changes() {
    let old = chat();
    let new = Chat {
        title: "Other plans".into(),
        ..old.clone()
    };
    let (diff, allocations) = allocations_during(|| audit_core::diff(&old, &new));
    assert_eq!(diff.len(), 1);
    assert_eq!(allocations, 1);
}

/// Outside an entry a fingerprinted secret is recorded as a plain one is:
/// nothing to serialize, nothing to hash.
#[test]
fn fingerprinted_secret_change_outside_an_entry_allocates_only_the_list_of_changes() {
    let old = chat();
    let new = Chat {
        api_token: "tok-2".into(),
        ..old.clone()
    };
    let (diff, allocations) = allocations_during(|| audit_core::diff(&old, &new));
    assert_eq!(diff.len(), 1);
    assert_eq!(allocations, 1);
}

#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(track)]
    theme: String,
    #[audit(secret, fingerprint)]
    token: String,
    #[audit(ignore)]
    cached_at: u64,
}

#[derive(Clone, Serialize, Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    role: String,
}

/// Every shape a field can take.
#[derive(Clone, Serialize, Auditable)]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    settings: Settings,
    #[audit(nested)]
    backup: Option<Settings>,
    #[audit(nested)]
    boxed: Box<Settings>,
    #[audit(nested)]
    by_name: BTreeMap<String, Settings>,
    #[audit(nested)]
    by_id: HashMap<u64, Settings>,
    #[audit(track, entries)]
    labels: BTreeMap<String, String>,
    #[audit(secret, entries)]
    env: HashMap<String, String>,
    #[audit(track, entries)]
    roles: BTreeSet<String>,
    #[audit(track, entries)]
    scopes: HashSet<String>,
    #[audit(track)]
    flags: HashSet<String>,
    #[audit(nested, key = id)]
    members: Vec<Member>,
}

fn workspace() -> Workspace {
    let settings = Settings {
        theme: "light".into(),
        token: "t".into(),
        cached_at: 1,
    };
    Workspace {
        id: 1,
        settings: settings.clone(),
        backup: Some(settings.clone()),
        boxed: Box::new(settings.clone()),
        by_name: BTreeMap::from([("a".into(), settings.clone())]),
        by_id: HashMap::from([(1, settings.clone()), (2, settings)]),
        labels: BTreeMap::from([("team".into(), "core".into())]),
        env: HashMap::from([("KEY".into(), "v".into()), ("OTHER".into(), "w".into())]),
        roles: BTreeSet::from(["admin".into()]),
        scopes: HashSet::from(["read".into(), "write".into()]),
        flags: HashSet::from(["x".into()]),
        members: vec![
            Member {
                id: 1,
                role: "owner".into(),
            },
            Member {
                id: 2,
                role: "viewer".into(),
            },
        ],
    }
}

#[test]
fn unchanged_nested_maps_sets_and_keyed_lists_allocate_nothing() {
    let old = workspace();
    let mut new = workspace();
    new.settings.cached_at = 2;
    new.boxed.cached_at = 3;
    let (diff, allocations) = allocations_during(|| audit_core::diff(&old, &new));
    assert!(diff.is_empty());
    assert_eq!(allocations, 0);
}

#[test]
fn a_nested_change_allocates_its_key_and_values() {
    let old = workspace();
    let mut new = workspace();
    new.settings.theme = "dark".into();
    let (diff, allocations) = allocations_during(|| audit_core::diff(&old, &new));
    assert_eq!(diff.keys().collect::<Vec<_>>(), ["settings.theme"]);
    // The list of changes, the key, and the two strings.
    assert_eq!(allocations, 4);
}
