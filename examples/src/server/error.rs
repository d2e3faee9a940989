//! The errors the API answers with, and the extractors that turn malformed
//! requests into them: a JSON body `{"error": "..."}` that never echoes what
//! the client sent, since it may hold a chat's secret title.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

/// A request the API refuses or could not serve.
#[derive(Debug)]
pub(super) enum ApiError {
    /// No `Authorization: Bearer <user-id>` header.
    Unauthorized,
    /// The caller may not see this: another user's audit entries.
    Forbidden(String),
    /// No such chat, or not the caller's.
    NotFound,
    /// The request is malformed: its status (400, 413, 415, 422) and why.
    Invalid(StatusCode, String),
    /// The server failed: reported in its log, not to the client.
    Internal,
}

impl ApiError {
    /// A 400 Bad Request saying `message`.
    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::Invalid(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "send `Authorization: Bearer <user-id>`".to_owned(),
            ),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, message),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "no such chat".to_owned()),
            ApiError::Invalid(status, message) => (status, message),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; see the server's log".to_owned(),
            ),
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A JSON body of type `T`; a body that is not one is refused with a
/// message naming what was expected, never what was sent.
pub(super) struct JsonBody<T>(pub T);

/// What a body type expects, for the message of a body that does not match.
pub(super) trait Expected {
    /// The fields and their types, as a sentence.
    const EXPECTED: &'static str;
}

impl<S: Send + Sync, T: DeserializeOwned + Expected> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(body_error(&rejection, T::EXPECTED)),
        }
    }
}

fn body_error(rejection: &JsonRejection, expected: &str) -> ApiError {
    let status = rejection.status();
    let message = match rejection {
        JsonRejection::JsonSyntaxError(_) => format!("the body is not valid JSON; {expected}"),
        JsonRejection::JsonDataError(_) => format!("the body does not fit; {expected}"),
        JsonRejection::MissingJsonContentType(_) => {
            "send the body with `Content-Type: application/json`".to_owned()
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the body is larger than the limit of {} bytes",
            super::MAX_BODY_BYTES
        ),
        _ => "the body could not be read".to_owned(),
    };
    ApiError::Invalid(status, message)
}

/// The chat id of the path `/chats/{id}`; one that is not a UUID is refused.
pub(super) struct ChatId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ChatId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<Uuid>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| ChatId(id))
            .map_err(|rejection: PathRejection| match rejection {
                PathRejection::FailedToDeserializePathParams(_) => {
                    ApiError::bad_request("a chat id is a UUID")
                }
                _ => ApiError::Internal,
            })
    }
}
