//! The trait both stores implement, for code that reads either.

use std::future::Future;

use time::OffsetDateTime;

use crate::entry::AuditEntry;
use crate::sink::AuditSink;
use crate::store::{AuditQuery, CappedCount, Page, StoreError};

/// A sink whose entries can be read back: what the SQLite and PostgreSQL
/// stores have in common, for code that serves either (an HTTP endpoint
/// listing entries, a retention job). Each method has the meaning given in
/// the [module docs](crate::store); the stores have the same methods
/// inherently, so a caller of one store needs no import.
///
/// ```
/// use audit_core::store::{AuditQuery, AuditStore, StoreError};
///
/// /// The ids of an actor's last entries, whatever the store.
/// async fn recent(store: &impl AuditStore, actor: &str) -> Result<Vec<String>, StoreError> {
///     let page = store.query(&AuditQuery::new().actor(actor).limit(20)).await?;
///     Ok(page.entries.iter().map(|entry| entry.id.to_string()).collect())
/// }
/// ```
pub trait AuditStore: AuditSink {
    /// One page of the entries `query` selects, newest first.
    fn query(&self, query: &AuditQuery) -> impl Future<Output = Result<Page, StoreError>> + Send;

    /// How many entries `query` selects, ignoring its limit and cursor,
    /// counted up to `cap`.
    fn count(
        &self,
        query: &AuditQuery,
        cap: u64,
    ) -> impl Future<Output = Result<CappedCount, StoreError>> + Send;

    /// Every entry about one resource, newest first.
    fn history(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// Deletes every entry made before `cutoff`, one batch a transaction,
    /// and returns how many it deleted.
    fn purge_before(
        &self,
        cutoff: OffsetDateTime,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The entries the store could not write since the last call.
    fn take_unwritten(&self) -> Vec<AuditEntry>;
}

/// Implements [`AuditStore`] with the store's inherent methods.
#[cfg(feature = "sql")]
macro_rules! impl_audit_store {
    ($store:ty) => {
        impl $crate::store::AuditStore for $store {
            fn query(
                &self,
                query: &$crate::store::AuditQuery,
            ) -> impl ::core::future::Future<
                Output = Result<$crate::store::Page, $crate::store::StoreError>,
            > + Send {
                <$store>::query(self, query)
            }

            fn count(
                &self,
                query: &$crate::store::AuditQuery,
                cap: u64,
            ) -> impl ::core::future::Future<
                Output = Result<$crate::store::CappedCount, $crate::store::StoreError>,
            > + Send {
                <$store>::count(self, query, cap)
            }

            fn history(
                &self,
                resource_type: &str,
                resource_id: &str,
            ) -> impl ::core::future::Future<
                Output = Result<Vec<$crate::entry::AuditEntry>, $crate::store::StoreError>,
            > + Send {
                <$store>::history(self, resource_type, resource_id)
            }

            fn purge_before(
                &self,
                cutoff: ::time::OffsetDateTime,
            ) -> impl ::core::future::Future<Output = Result<u64, $crate::store::StoreError>> + Send
            {
                <$store>::purge_before(self, cutoff)
            }

            fn take_unwritten(&self) -> Vec<$crate::entry::AuditEntry> {
                <$store>::take_unwritten(self)
            }
        }
    };
}

#[cfg(feature = "sql")]
pub(crate) use impl_audit_store;
