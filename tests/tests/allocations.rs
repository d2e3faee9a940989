//! A diff in which nothing changed allocates nothing; a change allocates only
//! for what it records.
#![allow(unsafe_code)] // A counting global allocator cannot be written without it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;

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
