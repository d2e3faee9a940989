//! What the auditors' page reads from a store beside its entries: the
//! facts about a page's resources, and the menus.

use crate::store::CappedCount;

/// A row of `sql::select_resource_facts`: an entry that deleted one of a
/// page's resources, or that holds secret fingerprints of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ResourceFact {
    pub(crate) resource_type: String,
    pub(crate) resource_id: String,
    pub(crate) time_us: i64,
    pub(crate) action: String,
    /// The entry's diff, as JSON text.
    pub(crate) diff: String,
}

/// A capped count, with the menus' values when they were asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CountAndMenus {
    pub(crate) count: CappedCount,
    pub(crate) resource_types: Vec<String>,
    pub(crate) actions: Vec<String>,
}

#[cfg(feature = "sql")]
impl CountAndMenus {
    /// Collects the rows of `sql::select_count_and_menus`: (kind, value, count).
    pub(crate) fn from_rows(
        rows: impl IntoIterator<Item = (String, Option<String>, Option<i64>)>,
        cap: u64,
    ) -> Self {
        let mut menus = CountAndMenus {
            count: CappedCount::new(0, cap),
            resource_types: Vec::new(),
            actions: Vec::new(),
        };
        for (kind, value, count) in rows {
            match (kind.as_str(), value, count) {
                ("count", _, Some(count)) => {
                    menus.count = CappedCount::new(u64::try_from(count).unwrap_or(0), cap);
                }
                ("resource_type", Some(value), _) => menus.resource_types.push(value),
                ("action", Some(value), _) => menus.actions.push(value),
                _ => {}
            }
        }
        menus.resource_types.sort();
        menus.actions.sort();
        menus
    }
}
