//! A sink that keeps entries in memory, with queries and assertions for tests.

use std::sync::{Mutex, MutexGuard};

use crate::entry::{AuditEntry, Flag};
use crate::model::Audited;
use crate::sink::AuditSink;
use crate::sink::error::ExportError;

/// Records every entry, with its real diff, for tests to query and assert on.
///
/// ```
/// use audit_core::{Action, Auditable, MemorySink, AuditRequest};
///
/// #[derive(Clone, serde::Serialize, Auditable)]
/// struct Chat {
///     #[audit(track)]
///     id: u32,
///     #[audit(track)]
///     pin_order: i32,
/// }
///
/// let sink = MemorySink::new();
/// let mut audit = AuditRequest::new(&sink, Action::WRITE);
/// audit.set_old(Chat { id: 1, pin_order: 0 });
/// audit.set_new(Chat { id: 1, pin_order: 3 });
/// audit.commit(200).unwrap();
///
/// let entry = sink.assert_one_change("chat", "1", &["pin_order"]);
/// assert_eq!(entry.diff.get("pin_order").unwrap().new_value(), Some(&3.into()));
/// assert_eq!(sink.entries_of(&Chat { id: 1, pin_order: 3 }).len(), 1);
/// sink.assert_no_empty_writes();
/// ```
#[derive(Debug, Default)]
pub struct MemorySink {
    entries: Mutex<Vec<AuditEntry>>,
}

impl MemorySink {
    /// A sink with no entries.
    pub fn new() -> Self {
        MemorySink::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<AuditEntry>> {
        // A panic elsewhere while holding the lock leaves the entries intact.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every entry, in export order.
    pub fn entries(&self) -> Vec<AuditEntry> {
        self.lock().clone()
    }

    /// How many entries were exported.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry was exported.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The last entry exported.
    pub fn last(&self) -> Option<AuditEntry> {
        self.lock().last().cloned()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The entries about one resource, in export order.
    pub fn entries_for(&self, resource_type: &str, resource_id: &str) -> Vec<AuditEntry> {
        self.matching(|entry| {
            entry.resource_type == resource_type && entry.resource_id == resource_id
        })
    }

    /// The entries about `resource`, in export order.
    pub fn entries_of<T: Audited<Via>, Via>(&self, resource: &T) -> Vec<AuditEntry> {
        self.entries_for(T::AUDIT_SCHEMA.resource_type, &resource.audit_resource_id())
    }

    /// The entries of a resource type, in export order.
    pub fn entries_of_type(&self, resource_type: &str) -> Vec<AuditEntry> {
        self.matching(|entry| entry.resource_type == resource_type)
    }

    /// The entries with `flag`.
    pub fn flagged(&self, flag: Flag) -> Vec<AuditEntry> {
        self.matching(|entry| entry.flags.contains(&flag))
    }

    /// The entries `keep` accepts, in export order.
    fn matching(&self, keep: impl Fn(&AuditEntry) -> bool) -> Vec<AuditEntry> {
        self.lock()
            .iter()
            .filter(|entry| keep(entry))
            .cloned()
            .collect()
    }

    /// Asserts that exactly one entry about the resource changed exactly the
    /// fields `keys` (in any order), and returns it.
    ///
    /// # Panics
    ///
    /// When there is no such entry or more than one, listing the entries
    /// about the resource and what they changed.
    #[track_caller]
    #[allow(clippy::panic)] // An assertion for tests.
    pub fn assert_one_change(
        &self,
        resource_type: &str,
        resource_id: &str,
        keys: &[&str],
    ) -> AuditEntry {
        let mut expected: Vec<&str> = keys.to_vec();
        expected.sort_unstable();
        let entries = self.entries_for(resource_type, resource_id);
        let matching: Vec<&AuditEntry> = entries
            .iter()
            .filter(|entry| {
                let mut changed: Vec<&str> = entry.diff.keys().collect();
                changed.sort_unstable();
                changed == expected
            })
            .collect();
        match matching.as_slice() {
            [entry] => (*entry).clone(),
            _ => panic!(
                "expected exactly one entry for {resource_type} {resource_id:?} changing {expected:?}, found {}; the entries for it are:\n{}",
                matching.len(),
                describe(&entries),
            ),
        }
    }

    /// Asserts that every successful `write` can say what changed: none had
    /// an empty diff, and none missed its old or its new value. Each is the
    /// sign of a value captured at the wrong time, most often a "new" value
    /// captured before the change was made.
    ///
    /// # Panics
    ///
    /// When an entry is flagged [`Flag::EmptyWriteDiff`],
    /// [`Flag::MissingOldValue`] or [`Flag::MissingNewValue`], listing them.
    #[track_caller]
    #[allow(clippy::panic)] // An assertion for tests.
    pub fn assert_no_empty_writes(&self) {
        let flagged =
            self.matching(|entry| entry.flags.iter().any(|flag| flag.is_unexplained_write()));
        assert!(
            flagged.is_empty(),
            "{} write {} recorded no change; was \"new\" captured before the change was made or re-read, or a value not captured at all?\n{}",
            flagged.len(),
            if flagged.len() == 1 {
                "entry"
            } else {
                "entries"
            },
            describe(&flagged),
        );
    }
}

/// One line per entry: action, resource, status and changed keys.
fn describe(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "  (none)".to_owned();
    }
    entries
        .iter()
        .map(|entry| {
            format!(
                "  {} {} {:?} status {:?} changed {:?}{}",
                entry.action,
                entry.resource_type,
                entry.resource_id,
                entry.status_code,
                entry.diff.keys().collect::<Vec<_>>(),
                if entry.flags.is_empty() {
                    String::new()
                } else {
                    format!(" flags {:?}", entry.flags)
                },
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl AuditSink for MemorySink {
    fn export(&self, entry: AuditEntry) -> Result<(), ExportError> {
        self.lock().push(entry);
        Ok(())
    }
}
