//! What was done to a resource.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// The action an audit-log entry records: a snake_case verb such as
/// `"create"`, `"write"` or `"archive"`.
///
/// Actions are open: any snake_case name (`[a-z][a-z0-9_]*`) is one, so an
/// application audits its own verbs (`archive`, `share`, `approve`) as it
/// audits the common ones, which are constants here. A resource declares the
/// actions it is audited for with `#[audit(actions(create, write, archive))]`;
/// an entry with any other action is flagged
/// [`UndeclaredAction`](crate::Flag::UndeclaredAction).
///
/// ```
/// use audit_core::Action;
///
/// const ARCHIVE: Action = Action::from_static("archive");
///
/// assert_eq!(serde_json::to_string(&Action::WRITE).unwrap(), r#""write""#);
/// assert_eq!(ARCHIVE.as_str(), "archive");
/// assert_eq!(Action::new("share").unwrap(), Action::from_static("share"));
/// assert!(Action::new("Share").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Action(Cow<'static, str>);

/// Declares the common actions, each a constant, and the list of them.
macro_rules! common_actions {
    ($($(#[$doc:meta])* $name:ident = $text:literal, $past:literal;)*) => {
        impl Action {
            $(
                $(#[$doc])*
                pub const $name: Action = Action::from_static($text);
            )*

            /// The common actions this crate names as constants, in the order
            /// they are declared. Any other snake_case name is an action too.
            pub const COMMON: &'static [Action] = &[$(Action::$name),*];

            /// The past form of a common action, as sentences say it
            /// (`"created"`, `"logged in"`); `None` for any other action,
            /// whose past form its resource declares
            /// ([`Schema::past`](crate::Schema::past)).
            ///
            /// ```
            /// use audit_core::Action;
            ///
            /// assert_eq!(Action::WRITE.past(), Some("updated"));
            /// assert_eq!(Action::LOGIN.past(), Some("logged in"));
            /// assert_eq!(Action::from_static("share").past(), None);
            /// ```
            pub fn past(&self) -> Option<&'static str> {
                match self.as_str() {
                    $($text => Some($past),)*
                    _ => None,
                }
            }
        }
    };
}

common_actions! {
    /// `create`: the resource was created.
    CREATE = "create", "created";
    /// `write`: the resource was changed.
    WRITE = "write", "updated";
    /// `delete`: the resource was deleted.
    DELETE = "delete", "deleted";
    /// `start`: the resource (a workspace, a job) was started.
    START = "start", "started";
    /// `stop`: the resource was stopped.
    STOP = "stop", "stopped";
    /// `login`: a user logged in.
    LOGIN = "login", "logged in";
    /// `logout`: a user logged out.
    LOGOUT = "logout", "logged out";
    /// `register`: a user registered.
    REGISTER = "register", "registered";
    /// `connect`: a connection to the resource was opened.
    CONNECT = "connect", "connected";
    /// `disconnect`: a connection to the resource was closed.
    DISCONNECT = "disconnect", "disconnected";
    /// `open`: the resource was opened.
    OPEN = "open", "opened";
    /// `close`: the resource was closed.
    CLOSE = "close", "closed";
}

impl Action {
    /// The action named `name`, for constants and generated code.
    ///
    /// # Panics
    ///
    /// When `name` is not snake_case. In a `const` this is a compile error,
    /// which is where this function belongs; use [`Action::new`] for names
    /// known only at run time.
    pub const fn from_static(name: &'static str) -> Action {
        assert!(
            is_snake_case(name),
            "an action name is snake_case: a lowercase letter, then lowercase letters, digits and `_`"
        );
        Action(Cow::Borrowed(name))
    }

    /// The action named `name`, which the derive has already checked is
    /// snake_case: what generated code builds its actions with, through
    /// `__private::action`, so that the build does not evaluate the check
    /// again for every action of every struct.
    pub(crate) const fn from_checked(name: &'static str) -> Action {
        Action(Cow::Borrowed(name))
    }

    /// The action named `name`.
    ///
    /// # Errors
    ///
    /// When `name` is not snake_case: a lowercase ASCII letter, then
    /// lowercase ASCII letters, digits and `_`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Result<Action, InvalidAction> {
        let name = name.into();
        if is_snake_case(&name) {
            Ok(Action(name))
        } else {
            Err(InvalidAction(name.into_owned()))
        }
    }

    /// The snake_case name, as serialized and as written in `actions(...)`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `name` is `[a-z][a-z0-9_]*`. A `const fn`, so that
/// [`Action::from_static`] checks its argument at compile time.
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

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl AsRef<str> for Action {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Action {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Action {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::str::FromStr for Action {
    type Err = InvalidAction;

    fn from_str(name: &str) -> Result<Action, InvalidAction> {
        Action::new(name.to_owned())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Action, D::Error> {
        let name = String::deserialize(deserializer)?;
        // The common actions borrow their names, so reading a log allocates
        // no name for them.
        if let Some(common) = Action::COMMON
            .iter()
            .find(|action| *action == name.as_str())
        {
            return Ok(common.clone());
        }
        Action::new(name).map_err(serde::de::Error::custom)
    }
}

/// A name that is not snake_case, given where an [`Action`] was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidAction(String);

impl fmt::Display for InvalidAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an action name: an action is snake_case, a lowercase letter followed by lowercase letters, digits and `_`",
            self.0
        )
    }
}

impl std::error::Error for InvalidAction {}
