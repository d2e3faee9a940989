//! Keeping a checked-in copy of the documentation current.

use std::borrow::Cow;
use std::error::Error;
use std::ffi::OsStr;
use std::fmt::{self, Debug, Display, Formatter};
use std::path::{Path, PathBuf};
use std::{env, fs, io, thread};

use super::line_diff;

/// The environment variable that makes [`check`] rewrite a stale or missing
/// file instead of failing: `AUDIT_DOCS_UPDATE=overwrite cargo test`, the word
/// trybuild's `TRYBUILD=overwrite` blesses compile errors with. Any value but
/// empty and `0` asks for the rewrite, `1` too.
pub const UPDATE_ENV: &str = "AUDIT_DOCS_UPDATE";

/// Checks that the file at `path` holds `rendered`, the documentation
/// rendered by [`markdown`](super::markdown) or [`json`](super::json); meant
/// to be called from a test.
///
/// When the environment variable [`UPDATE_ENV`] is set, a stale or missing
/// file is written instead (with its parent directories) and the check
/// passes. A file that differs only in CRLF line endings is current.
///
/// # Errors
///
/// [`CheckError::Stale`] with a line diff, or [`CheckError::Missing`], each
/// with the command that regenerates the file; [`CheckError::Read`] or
/// [`CheckError::Write`] when the file cannot be read or written. The error's
/// `Debug` is its `Display`, so `check(..).unwrap()` in a test prints the
/// diff and the command as they are meant to be read:
///
/// ```text
/// docs/audit-logs.md is stale: it does not match the documentation rendered from the #[audit(...)] attributes.
///
/// --- docs/audit-logs.md (checked in)
/// +++ docs/audit-logs.md (rendered)
/// @@ -20,4 +20,4 @@
///  | `id` | track |  | The chat's id. |
/// -| `title` | track |  | The title the user gave the chat. |
/// +| `title` | secret | may contain sensitive content | The title the user gave the chat. |
///
/// Regenerate it with:
///
///     AUDIT_DOCS_UPDATE=overwrite cargo test -p my-crate -- audit_docs_are_current
/// ```
///
/// # Example
///
/// ```
/// use audit_core::{AuditFields, Auditable, docs};
///
/// #[derive(Auditable)]
/// struct Flag {
///     #[audit(track)]
///     id: u32,
/// }
///
/// let path = std::env::temp_dir().join(format!("audit-docs-check-{}.md", std::process::id()));
/// let rendered = docs::markdown(&[Flag::SCHEMA]);
/// std::fs::write(&path, &rendered)?;
///
/// // In a test: `docs::check("docs/audit-logs.md", &rendered).unwrap();`
/// docs::check(&path, &rendered)?;
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(path: impl AsRef<Path>, rendered: &str) -> Result<(), CheckError> {
    let update = update_requested(env::var_os(UPDATE_ENV).as_deref());
    check_file(path.as_ref(), rendered, update)
}

fn update_requested(value: Option<&OsStr>) -> bool {
    value.is_some_and(|value| !value.is_empty() && value != "0")
}

fn check_file(path: &Path, rendered: &str, update: bool) -> Result<(), CheckError> {
    let checked_in = match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(CheckError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let rendered = without_cr(rendered);
    let checked_in = checked_in.as_deref().map(without_cr);
    if checked_in.as_deref() == Some(&*rendered) {
        return Ok(());
    }
    if update {
        return write(path, &rendered).map_err(|source| CheckError::Write {
            path: path.to_owned(),
            source,
        });
    }
    let command = regenerate_command();
    Err(match checked_in {
        None => CheckError::Missing {
            path: path.to_owned(),
            command,
        },
        Some(checked_in) => CheckError::Stale {
            path: path.to_owned(),
            diff: line_diff::unified(
                &checked_in,
                &rendered,
                &format!("{} (checked in)", path.display()),
                &format!("{} (rendered)", path.display()),
            ),
            command,
        },
    })
}

/// `text` with CRLF line endings as LF: a checkout may have converted them.
fn without_cr(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)
}

/// The command that reruns the failing check with [`UPDATE_ENV`] set.
///
/// `cargo test` tells the test its package in `CARGO_PKG_NAME`, and the test
/// harness names each test's thread after the test; either is left out when
/// absent or when it is not a plain package name or test path.
fn regenerate_command() -> String {
    let mut command = format!("{UPDATE_ENV}=overwrite cargo test");
    let package = env::var("CARGO_PKG_NAME").ok().filter(|package| {
        !package.is_empty()
            && package
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if let Some(package) = package {
        command.push_str(" -p ");
        command.push_str(&package);
    }
    let thread = thread::current();
    let test = thread.name().filter(|name| {
        *name != "main"
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    });
    if let Some(test) = test {
        command.push_str(" -- ");
        command.push_str(test);
    }
    command
}

/// Why [`check`] failed.
///
/// `Debug` shows the same text as `Display`, with the cause of a read or
/// write error, so that a test's `unwrap()` prints a readable diff.
#[non_exhaustive]
pub enum CheckError {
    /// The file does not hold the rendered documentation.
    Stale {
        /// The file checked.
        path: PathBuf,
        /// A unified diff from the file to the rendered documentation.
        diff: String,
        /// The command that regenerates the file.
        command: String,
    },
    /// The file does not exist.
    Missing {
        /// The file checked.
        path: PathBuf,
        /// The command that creates the file.
        command: String,
    },
    /// The file could not be read.
    Read {
        /// The file checked.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The file could not be written, with [`UPDATE_ENV`] set.
    Write {
        /// The file checked.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
}

impl CheckError {
    /// The file checked.
    pub fn path(&self) -> &Path {
        match self {
            CheckError::Stale { path, .. }
            | CheckError::Missing { path, .. }
            | CheckError::Read { path, .. }
            | CheckError::Write { path, .. } => path,
        }
    }
}

impl Display for CheckError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Stale {
                path,
                diff,
                command,
            } => write!(
                f,
                "{} is stale: it does not match the documentation rendered from the \
                 #[audit(...)] attributes.\n\n{diff}\nRegenerate it with:\n\n    {command}\n",
                path.display(),
            ),
            CheckError::Missing { path, command } => write!(
                f,
                "{} does not exist. Create it from the #[audit(...)] attributes with:\n\n    {command}\n",
                path.display(),
            ),
            CheckError::Read { path, .. } => write!(f, "cannot read {}", path.display()),
            CheckError::Write { path, .. } => write!(f, "cannot write {}", path.display()),
        }
    }
}

impl Debug for CheckError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)?;
        match self.source() {
            Some(source) => write!(f, ": {source}"),
            None => Ok(()),
        }
    }
}

impl Error for CheckError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            CheckError::Read { source, .. } | CheckError::Write { source, .. } => Some(source),
            CheckError::Stale { .. } | CheckError::Missing { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::fs;

    use super::{CheckError, check_file, update_requested};

    #[test]
    fn a_current_file_passes_in_both_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "a\nb\n").unwrap();
        check_file(&path, "a\nb\n", false).unwrap();
        check_file(&path, "a\nb\n", true).unwrap();
        fs::write(&path, "a\r\nb\r\n").unwrap();
        check_file(&path, "a\nb\n", false).unwrap();
    }

    #[test]
    fn a_stale_file_fails_with_a_diff_and_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "a\nb\nc\n").unwrap();
        let error = check_file(&path, "a\nB\nc\n", false).unwrap_err();
        let CheckError::Stale { diff, command, .. } = &error else {
            panic!("{error}");
        };
        let (path_text, command) = (path.display(), command.as_str());
        assert_eq!(
            diff,
            &format!(
                "--- {path_text} (checked in)\n+++ {path_text} (rendered)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
            )
        );
        assert!(
            command.starts_with("AUDIT_DOCS_UPDATE=overwrite cargo test"),
            "{command}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{path_text} is stale: it does not match the documentation rendered from the \
                 #[audit(...)] attributes.\n\n{diff}\nRegenerate it with:\n\n    {command}\n"
            )
        );
        assert_eq!(format!("{error:?}"), error.to_string());
        assert_eq!(error.path(), path);
        assert_eq!(fs::read_to_string(&path).unwrap(), "a\nb\nc\n");
    }

    #[test]
    fn a_stale_file_is_rewritten_in_update_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.md");
        fs::write(&path, "old\n").unwrap();
        check_file(&path, "new\n", true).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn a_missing_file_is_stale_and_is_created_in_update_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docs").join("doc.md");
        let error = check_file(&path, "new\n", false).unwrap_err();
        assert!(matches!(error, CheckError::Missing { .. }), "{error}");
        assert!(
            error.to_string().starts_with(&format!(
                "{} does not exist. Create it from the #[audit(...)] attributes with:\n\n    AUDIT_DOCS_UPDATE=overwrite cargo test",
                path.display()
            )),
            "{error}"
        );
        assert!(!path.exists());
        check_file(&path, "new\n", true).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn an_unreadable_file_is_an_error_with_its_cause() {
        // A directory cannot be read as a file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        let error = check_file(path, "text\n", false).unwrap_err();
        assert!(matches!(error, CheckError::Read { .. }), "{error:?}");
        assert_eq!(error.to_string(), format!("cannot read {}", path.display()));
        assert!(
            format!("{error:?}").starts_with(&format!("cannot read {}: ", path.display())),
            "{error:?}"
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn the_environment_variable_asks_for_an_update_unless_empty_or_zero() {
        assert!(!update_requested(None));
        assert!(!update_requested(Some(OsStr::new(""))));
        assert!(!update_requested(Some(OsStr::new("0"))));
        assert!(update_requested(Some(OsStr::new("overwrite"))));
        assert!(update_requested(Some(OsStr::new("1"))));
        assert!(update_requested(Some(OsStr::new("yes"))));
    }
}
