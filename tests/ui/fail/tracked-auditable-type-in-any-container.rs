// An auditable type is not tracked whole through any standard container, nor is a remote type audited through a mirror.
use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, VecDeque};

use audit_core::Auditable;

#[derive(Clone, PartialEq, serde::Serialize, Auditable)]
#[audit(embedded)]
struct Settings {
    #[audit(secret)]
    api_token: String,
}

mod remote {
    #[derive(Clone, PartialEq, serde::Serialize)]
    pub struct Model {
        pub id: u64,
        pub token: String,
    }
}

#[derive(Auditable)]
#[audit(remote = remote::Model)]
#[allow(dead_code)]
struct ModelAudit {
    #[audit(track)]
    id: u64,
    #[audit(secret)]
    token: String,
}

/// A type alias hides the container from the derive, not from the probe.
type Backups = Option<Vec<Settings>>;

#[derive(Auditable)]
struct Workspace {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    pair: (u8, Settings),
    #[audit(track)]
    queue: VecDeque<Settings>,
    #[audit(track)]
    borrowed: Cow<'static, Settings>,
    #[audit(track)]
    outcome: Result<u8, Settings>,
    #[audit(track)]
    cell: RefCell<[Settings; 2]>,
    #[audit(track)]
    keyed_by: BTreeMap<Reverse<(u8, Settings)>, u8>,
    #[audit(track)]
    model: remote::Model,
    #[audit(track)]
    models: Option<Vec<remote::Model>>,
    #[audit(track)]
    backups: Backups,
    #[audit(track)]
    fine: (u8, Option<String>),
}

fn main() {}
