//! The names of the attribute keys the derive reads, and the names it
//! defaults to.

/// The attribute namespace: `#[audit(...)]`.
pub(crate) const AUDIT: &str = "audit";
/// Serde's namespace, read for `rename` and `rename_all`.
pub(crate) const SERDE: &str = "serde";
/// Doc comments.
pub(crate) const DOC: &str = "doc";

// Field classes.
pub(crate) const TRACK: &str = "track";
pub(crate) const IGNORE: &str = "ignore";
pub(crate) const SECRET: &str = "secret";
/// `#[audit(nested)]`: an auditable struct diffed field by field.
pub(crate) const NESTED: &str = "nested";
/// `#[audit(track, entries)]`: a map or set recorded per entry.
pub(crate) const ENTRIES: &str = "entries";
/// `#[audit(secret, fingerprint)]`: a secret whose changes record keyed
/// fingerprints of its values.
pub(crate) const FINGERPRINT: &str = "fingerprint";
/// `#[audit(nested, key = id)]`: the field that matches list elements.
pub(crate) const KEY: &str = "key";
/// `#[audit(nested, via = Mirror)]`: a field of a remote type, diffed through its mirror.
pub(crate) const VIA: &str = "via";
/// `#[serde(skip)]`, `#[serde(skip_serializing)]`: a field serde never writes.
pub(crate) const SKIP: &str = "skip";
pub(crate) const SKIP_SERIALIZING: &str = "skip_serializing";
/// `#[audit(rename = "key")]` on a field; `#[serde(rename = "key")]`.
pub(crate) const RENAME: &str = "rename";
/// `#[serde(rename_all = "camelCase")]` on the container.
pub(crate) const RENAME_ALL: &str = "rename_all";
/// `#[serde(rename(serialize = "key"))]`; also the function a `#[serde(with
/// = "module")]` module serializes with.
pub(crate) const SERIALIZE: &str = "serialize";
/// `#[serde(with = "module")]` on a field.
pub(crate) const WITH: &str = "with";
/// `#[serde(serialize_with = "path")]` on a field.
pub(crate) const SERIALIZE_WITH: &str = "serialize_with";

/// `#[audit(track, says(true = "archived {noun} {target}"))]`: the
/// sentences of a change to this field alone.
pub(crate) const SAYS: &str = "says";
/// The conditions of `says(...)` that read a collection's elements or any
/// change, rather than a value.
pub(crate) const ADDED: &str = "added";
pub(crate) const REMOVED: &str = "removed";
pub(crate) const CHANGED: &str = "changed";

/// The keys `#[audit(...)]` takes on a field.
pub(crate) const FIELD_KEYS: &[&str] = &[
    TRACK,
    IGNORE,
    SECRET,
    NESTED,
    ENTRIES,
    FINGERPRINT,
    KEY,
    VIA,
    RENAME,
    SAYS,
];

/// Words other libraries use for a field class, with the class we spell them.
pub(crate) const CLASS_SYNONYMS: &[(&str, &str)] = &[
    ("skip", IGNORE),
    ("exclude", IGNORE),
    ("omit", IGNORE),
    ("redact", SECRET),
    ("redacted", SECRET),
    ("sensitive", SECRET),
    ("private", SECRET),
    ("include", TRACK),
    ("audit", TRACK),
];

// Container keys.
pub(crate) const RESOURCE: &str = "resource";
pub(crate) const ID: &str = "id";
pub(crate) const TARGET: &str = "target";
pub(crate) const TARGET_WITH: &str = "target_with";
pub(crate) const LINK: &str = "link";
pub(crate) const LINK_WITH: &str = "link_with";
pub(crate) const ORG: &str = "org";
pub(crate) const ACTIONS: &str = "actions";
pub(crate) const CRATE: &str = "crate";
/// `#[audit(embedded)]`: a struct nested in resources, not one itself.
pub(crate) const EMBEDDED: &str = "embedded";
/// `#[audit(remote = path::Type)]`: the struct mirrors a type it audits.
pub(crate) const REMOTE: &str = "remote";
/// `#[audit(remote = .., partial = "why")]`: the mirror need not name every
/// field of the remote type.
pub(crate) const PARTIAL: &str = "partial";
/// `#[audit(noun = "chat")]`: the resource's name in sentences.
pub(crate) const NOUN: &str = "noun";

/// The keys `#[audit(...)]` takes on the struct.
pub(crate) const CONTAINER_KEYS: &[&str] = &[
    RESOURCE,
    ID,
    TARGET,
    TARGET_WITH,
    LINK,
    LINK_WITH,
    ORG,
    ACTIONS,
    CRATE,
    EMBEDDED,
    REMOTE,
    PARTIAL,
    NOUN,
];

/// The actions a resource is audited for when it declares none.
pub(crate) const DEFAULT_ACTIONS: &[&str] = &["create", "write", "delete"];

/// Field names used as the target when the struct names none, in order of preference.
pub(crate) const DEFAULT_TARGETS: &[&str] = &["name", "title"];
