//! The demo authentication: `Authorization: Bearer <user-id>` names the
//! caller, no questions asked. A real service checks a session or a key here.

use axum::extract::{FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;

/// The longest user id accepted.
const MAX_USER_ID_LEN: usize = 64;

/// Who calls: the user id of the bearer token. The authentication
/// middleware puts it in the request's extensions; the audit layer's actor
/// function and the handlers read it from there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Caller(pub String);

/// Lets the request through with its [`Caller`], or answers 401.
///
/// # Errors
///
/// [`ApiError::Unauthorized`] without a well-formed bearer token.
pub(super) async fn authenticate(mut request: Request, next: Next) -> Result<Response, ApiError> {
    let caller = bearer(request.headers().get(AUTHORIZATION)).ok_or(ApiError::Unauthorized)?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

/// Lets an auditor through to the auditors' page; anyone else gets 403.
///
/// # Errors
///
/// [`ApiError::Unauthorized`] without a caller, [`ApiError::Forbidden`]
/// for a caller who is not an auditor.
pub(super) async fn require_auditor(
    axum::extract::State(server): axum::extract::State<std::sync::Arc<super::ChatServer>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let caller = request
        .extensions()
        .get::<Caller>()
        .ok_or(ApiError::Unauthorized)?;
    if !server.auditors.contains(&caller.0) {
        return Err(ApiError::Forbidden(
            "only auditors read the audit log".to_owned(),
        ));
    }
    Ok(next.run(request).await)
}

/// The user id of `Bearer <user-id>`: 1 to 64 printable ASCII characters.
fn bearer(header: Option<&axum::http::HeaderValue>) -> Option<Caller> {
    let user = header?.to_str().ok()?.strip_prefix("Bearer ")?.trim();
    let printable = user.bytes().all(|byte| byte.is_ascii_graphic());
    (printable && !user.is_empty() && user.len() <= MAX_USER_ID_LEN)
        .then(|| Caller(user.to_owned()))
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthorized)
    }
}
