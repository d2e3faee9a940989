//! The guard a handler takes as an argument: `Audit<T>`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use ::axum::extract::FromRequestParts;
use ::axum::http::request::Parts;
use ::axum::http::{Method, StatusCode};
use ::axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::layer::RequestScope;
use super::scope::Scope;
use crate::entry::context::{self, Context, Ending};
use crate::model::Audited;
use crate::model::action::Action;

/// Audits one mutation in a handler behind an [`AuditLayer`](super::AuditLayer):
/// set the old value before it and the new value after it (re-read from
/// storage); the layer commits the entry with the response status once the
/// handler returned.
///
/// The actor (from the layer's [`actor`](super::AuditLayer::actor)
/// function), the client's address, its user agent and the request id are
/// filled in for you. The action defaults from the method: `POST` is
/// [`create`](Action::CREATE), `DELETE` is [`delete`](Action::DELETE), any
/// other method [`write`](Action::WRITE); [`set_action`](Audit::set_action)
/// changes it.
///
/// The entry follows the rules of [`AuditRequest`](crate::AuditRequest):
///
/// - with a response below 400 it has the diff between old and new; from 400
///   up, no diff;
/// - with neither value set, it is still committed with the status, with an
///   empty resource id: a 404 or a 400 is audited;
/// - a handler that panics is answered `500 Internal Server Error` and its
///   entry committed with 500;
/// - when the request ends without a response (the client went away and the
///   server dropped the handler), the entry is exported without a status,
///   flagged [`Flag::Uncommitted`](crate::Flag::Uncommitted), if a value was
///   set, and not at all otherwise;
/// - [`cancel`](Audit::cancel) exports nothing.
///
/// Take it as the **first** argument: an extractor that fails after it (a
/// malformed JSON body, say) then still leaves the guard to be committed
/// with the rejection's status, while one that fails before it means the
/// handler never ran and nothing is audited.
pub struct Audit<T: Audited<Via> + Send + 'static, Via: 'static = T> {
    scope: Arc<Scope>,
    context: Context,
    action: Action,
    old: Option<T>,
    new: Option<T>,
    cancelled: bool,
    /// The mirror a foreign `T` is audited through; `T` itself otherwise.
    via: PhantomData<fn() -> Via>,
}

impl<T: Audited<Via> + Send + 'static, Via: 'static> Audit<T, Via> {
    /// The guard for the request whose head is `parts`, for HTTP stacks
    /// other than axum: axum handlers take `Audit<T>` as an argument instead.
    ///
    /// # Errors
    ///
    /// When the request did not pass through an [`AuditLayer`](super::AuditLayer).
    pub fn from_parts(parts: &Parts) -> Result<Self, MissingAuditLayer> {
        let RequestScope { scope, actor } = parts
            .extensions
            .get::<RequestScope>()
            .ok_or(MissingAuditLayer)?;
        let mut context = scope.context.clone();
        context.actor = actor.as_ref().and_then(|actor| actor(parts));
        Ok(Audit {
            scope: Arc::clone(scope),
            context,
            action: default_action(&parts.method),
            old: None,
            new: None,
            cancelled: false,
            via: PhantomData,
        })
    }

    /// The resource before the mutation.
    pub fn set_old(&mut self, old: T) {
        self.old = Some(old);
    }

    /// The resource after the mutation. Capture it from storage after the
    /// change, not before: a stale "new" value gives an empty diff, flagged.
    pub fn set_new(&mut self, new: T) {
        self.new = Some(new);
    }

    /// Records `action` instead of the one the method implies.
    pub fn set_action(&mut self, action: Action) {
        self.action = action;
    }

    /// Records `value` under `key` in the entry's additional fields.
    pub fn additional_field(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.context
            .additional_fields
            .insert(key.into(), value.into());
    }

    /// The old value, if set.
    pub fn old_value(&self) -> Option<&T> {
        self.old.as_ref()
    }

    /// The new value, if set.
    pub fn new_value(&self) -> Option<&T> {
        self.new.as_ref()
    }

    /// The action the entry will record.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// Who makes the change, as the layer's actor function said.
    pub fn actor(&self) -> Option<&str> {
        self.context.actor.as_deref()
    }

    /// The request's id: the incoming one, or the one the layer made.
    pub fn request_id(&self) -> &str {
        self.context.request_id.as_deref().unwrap_or_default()
    }

    /// Exports nothing: the mutation did not happen and needs no entry.
    pub fn cancel(mut self) {
        self.cancelled = true;
    }
}

/// `POST` creates, `DELETE` deletes, anything else writes.
fn default_action(method: &Method) -> Action {
    match *method {
        Method::POST => Action::CREATE,
        Method::DELETE => Action::DELETE,
        _ => Action::WRITE,
    }
}

impl<T: Audited<Via> + Send + 'static, Via: 'static> Drop for Audit<T, Via> {
    fn drop(&mut self) {
        if self.cancelled {
            return;
        }
        let context = std::mem::take(&mut self.context);
        let action = std::mem::replace(&mut self.action, Action::WRITE);
        let (old, new) = (self.old.take(), self.new.take());
        self.scope.leave(Box::new(move |status| {
            let ending = status.map_or(Ending::Dropped, Ending::Committed);
            context::finish::<T, Via>(context, action, old.as_ref(), new.as_ref(), ending)
        }));
    }
}

impl<T: Audited<Via> + Send + 'static, Via: 'static> fmt::Debug for Audit<T, Via> {
    // The values may hold secrets: show what is set, never what it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Audit")
            .field("resource_type", &T::AUDIT_SCHEMA.resource_type)
            .field("action", &self.action)
            .field("actor", &self.context.actor)
            .field("request_id", &self.context.request_id)
            .field("has_old", &self.old.is_some())
            .field("has_new", &self.new.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync, T: Audited<Via> + Send + 'static, Via: 'static> FromRequestParts<S>
    for Audit<T, Via>
{
    type Rejection = MissingAuditLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Audit::from_parts(parts)
    }
}

/// The request did not pass through an [`AuditLayer`](super::AuditLayer): a
/// mistake in building the router, answered `500 Internal Server Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingAuditLayer;

impl fmt::Display for MissingAuditLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the handler takes `Audit<T>` but the request did not pass through an `AuditLayer`; add `.layer(AuditLayer::new(sink))` to the router",
        )
    }
}

impl std::error::Error for MissingAuditLayer {}

impl IntoResponse for MissingAuditLayer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
