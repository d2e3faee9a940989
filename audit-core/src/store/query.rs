//! What to read from a store: filters, a page size and where to start.

use time::OffsetDateTime;

use crate::entry::Flag;
use crate::model::action::Action;
use crate::store::Cursor;

/// The number of entries a page holds when [`AuditQuery::limit`] is not set.
pub const DEFAULT_LIMIT: usize = 100;

/// The most entries a page holds; a larger [`AuditQuery::limit`] is lowered to it.
pub const MAX_LIMIT: usize = 1000;

/// A cap for [`count`](crate::store#counting): past it, counting every
/// matching entry costs more than the number is worth (Coder caps at 2000
/// after its count scan made the audit page crawl).
pub const COUNT_CAP: u64 = 2000;

/// Which entries to read: every filter that is set must hold. Entries come
/// newest first, [`limit`](AuditQuery::limit) at a time; a page's
/// [`next_cursor`](crate::store::Page::next_cursor), given to
/// [`after`](AuditQuery::after), reads the next one.
///
/// Only the filters that are set become SQL, and every value is bound as a
/// parameter, never written into the SQL text.
///
/// ```
/// use audit_core::Action;
/// use audit_core::store::{AuditQuery, StatusFilter};
/// use time::macros::datetime;
///
/// let query = AuditQuery::new()
///     .resource_type("chat")
///     .action(Action::WRITE)
///     .action(Action::DELETE)
///     .actor("user-1")
///     .organization("org-1")
///     .status(StatusFilter::Failed)
///     .since(datetime!(2026-11-01 00:00 UTC))
///     .until(datetime!(2026-12-01 00:00 UTC))
///     .limit(50);
/// assert_eq!(query.page_size(), 50);
/// assert_eq!(AuditQuery::new().limit(5000).page_size(), 1000);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use = "a query does nothing until a store runs it"]
pub struct AuditQuery {
    pub(crate) resource_type: Option<String>,
    pub(crate) resource_id: Option<String>,
    pub(crate) actions: Vec<Action>,
    pub(crate) actor: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) origin: Option<String>,
    pub(crate) status: Option<StatusFilter>,
    pub(crate) flag: Option<Flag>,
    pub(crate) since: Option<OffsetDateTime>,
    pub(crate) until: Option<OffsetDateTime>,
    pub(crate) limit: Option<usize>,
    pub(crate) after: Option<Cursor>,
}

/// Which response statuses an [`AuditQuery`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusFilter {
    /// Exactly this status.
    Code(u16),
    /// A status below 400: the change was made.
    Succeeded,
    /// A status of 400 or more: the change was refused or failed.
    Failed,
    /// No status: the request was dropped before it was committed
    /// ([`Flag::Uncommitted`]).
    Uncommitted,
}

impl AuditQuery {
    /// Every entry, newest first, [`DEFAULT_LIMIT`] a page.
    pub fn new() -> Self {
        AuditQuery::default()
    }

    /// The entries about one resource, newest first: its history.
    ///
    /// ```
    /// use audit_core::store::AuditQuery;
    ///
    /// assert_eq!(
    ///     AuditQuery::history("chat", "42"),
    ///     AuditQuery::new().resource_type("chat").resource_id("42"),
    /// );
    /// ```
    pub fn history(resource_type: impl Into<String>, resource_id: impl Into<String>) -> Self {
        AuditQuery::new()
            .resource_type(resource_type)
            .resource_id(resource_id)
    }

    /// Only entries about resources of this type (`"chat"`).
    pub fn resource_type(mut self, resource_type: impl Into<String>) -> Self {
        self.resource_type = Some(resource_type.into());
        self
    }

    /// Only entries about the resource with this id. Pages from an index
    /// when the resource type is set too.
    pub fn resource_id(mut self, resource_id: impl Into<String>) -> Self {
        self.resource_id = Some(resource_id.into());
        self
    }

    /// Only entries of this action; called again, of any of the actions given.
    pub fn action(mut self, action: Action) -> Self {
        if !self.actions.contains(&action) {
            self.actions.push(action);
        }
        self
    }

    /// Only entries of one of these actions (added to those already given).
    pub fn actions(self, actions: impl IntoIterator<Item = Action>) -> Self {
        actions.into_iter().fold(self, AuditQuery::action)
    }

    /// Only entries made by this actor.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Only entries about resources of this organization.
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Only entries made by the request with this id.
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Only entries written by this origin: one writer, such as one
    /// instance of a service (see the stores' `origin`).
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Only entries whose status matches.
    pub fn status(mut self, status: StatusFilter) -> Self {
        self.status = Some(status);
        self
    }

    /// Only entries carrying this flag: the anomalies.
    pub fn flag(mut self, flag: Flag) -> Self {
        self.flag = Some(flag);
        self
    }

    /// Only entries made at or after `time`. The stores keep time to the
    /// microsecond, and compare it so.
    pub fn since(mut self, time: OffsetDateTime) -> Self {
        self.since = Some(time);
        self
    }

    /// Only entries made before `time`. The stores keep time to the
    /// microsecond, and compare it so.
    pub fn until(mut self, time: OffsetDateTime) -> Self {
        self.until = Some(time);
        self
    }

    /// At most `limit` entries a page: at least 1, at most [`MAX_LIMIT`];
    /// [`DEFAULT_LIMIT`] when not set.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only entries after `cursor` in the query's order (older ones): the
    /// page after the one whose [`next_cursor`](crate::store::Page::next_cursor) it is.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// How many entries a page holds.
    pub fn page_size(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}
