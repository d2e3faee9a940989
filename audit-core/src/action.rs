//! What was done to a resource.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The action an audit-log entry records.
///
/// Serialized in snake_case (`"create"`, `"request_password_reset"`), the same
/// spelling `#[audit(actions(...))]` takes.
///
/// ```
/// use audit_core::Action;
///
/// assert_eq!(serde_json::to_string(&Action::Write).unwrap(), r#""write""#);
/// assert_eq!(Action::RequestPasswordReset.as_str(), "request_password_reset");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// The resource was created.
    Create,
    /// The resource was changed.
    Write,
    /// The resource was deleted.
    Delete,
    /// The resource (a workspace, a job) was started.
    Start,
    /// The resource was stopped.
    Stop,
    /// A user logged in.
    Login,
    /// A user logged out.
    Logout,
    /// A user registered.
    Register,
    /// A user asked for a password reset.
    RequestPasswordReset,
    /// A connection to the resource was opened.
    Connect,
    /// A connection to the resource was closed.
    Disconnect,
    /// The resource was opened.
    Open,
    /// The resource was closed.
    Close,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: &'static [Action] = &[
        Action::Create,
        Action::Write,
        Action::Delete,
        Action::Start,
        Action::Stop,
        Action::Login,
        Action::Logout,
        Action::Register,
        Action::RequestPasswordReset,
        Action::Connect,
        Action::Disconnect,
        Action::Open,
        Action::Close,
    ];

    /// The snake_case name, as serialized and as written in `actions(...)`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Write => "write",
            Action::Delete => "delete",
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Register => "register",
            Action::RequestPasswordReset => "request_password_reset",
            Action::Connect => "connect",
            Action::Disconnect => "disconnect",
            Action::Open => "open",
            Action::Close => "close",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
