//! What was done to a resource.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The action an audit-log entry records: a snake_case verb such as
/// `create`, `share` or `archive`.
///
/// Any snake_case name is an action; the common ones are constants. A
/// resource lists those it is audited for in `#[audit(actions(...))]`, with
/// the same spelling.
///
/// ```
/// use audit_core::Action;
///
/// const SHARE: Action = Action::from_static("share");
/// assert_eq!(serde_json::to_string(&Action::WRITE).unwrap(), r#""write""#);
/// assert_eq!(SHARE.as_str(), "share");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Action(Cow<'static, str>);

impl Action {
    /// The resource was created.
    pub const CREATE: Action = Action::from_static("create");
    /// The resource was changed.
    pub const WRITE: Action = Action::from_static("write");
    /// The resource was deleted.
    pub const DELETE: Action = Action::from_static("delete");
    /// The resource (a workspace, a job) was started.
    pub const START: Action = Action::from_static("start");
    /// The resource was stopped.
    pub const STOP: Action = Action::from_static("stop");
    /// A user logged in.
    pub const LOGIN: Action = Action::from_static("login");
    /// A user logged out.
    pub const LOGOUT: Action = Action::from_static("logout");
    /// A user registered.
    pub const REGISTER: Action = Action::from_static("register");
    /// A connection to the resource was opened.
    pub const CONNECT: Action = Action::from_static("connect");
    /// A connection to the resource was closed.
    pub const DISCONNECT: Action = Action::from_static("disconnect");
    /// The resource was opened.
    pub const OPEN: Action = Action::from_static("open");
    /// The resource was closed.
    pub const CLOSE: Action = Action::from_static("close");

    /// The action `name`, which must be snake_case: a lowercase ASCII letter,
    /// then lowercase letters, digits and `_`.
    ///
    /// # Panics
    ///
    /// When `name` is not snake_case; in a `const`, that is a compile error.
    pub const fn from_static(name: &'static str) -> Action {
        assert!(
            is_snake_case(name),
            "an action name is snake_case: a lowercase ASCII letter, then lowercase letters, digits and `_`"
        );
        Action(Cow::Borrowed(name))
    }

    /// The snake_case name, as serialized and as written in `actions(...)`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Whether `name` matches `[a-z][a-z0-9_]*`.
const fn is_snake_case(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_lowercase() {
        return false;
    }
    let mut index = 1;
    while index < bytes.len() {
        let byte = bytes[index];
        if !(byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_') {
            return false;
        }
        index += 1;
    }
    true
}
