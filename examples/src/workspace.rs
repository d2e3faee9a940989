//! A team workspace: its settings, its labels and its members, audited at
//! every depth, each inner field with its own class.

use std::collections::BTreeMap;

use audit_core::Auditable;
use serde::Serialize;
use uuid::Uuid;

/// A team's shared workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(resource = "workspace", org = organization_id, link = "/workspaces/{id}",
        actions(create, write, delete))]
pub struct Workspace {
    /// The workspace's id.
    #[audit(track)]
    pub id: Uuid,
    /// The organization the workspace belongs to.
    #[audit(ignore = "scopes the entry; recorded as its organization")]
    pub organization_id: Uuid,
    /// The workspace's name, shown to its members.
    #[audit(track)]
    pub name: String,
    /// How the workspace behaves.
    #[audit(nested)]
    pub settings: WorkspaceSettings,
    /// Labels for billing and search, such as `team` or `app.kubernetes.io/name`.
    #[audit(track, entries)]
    pub labels: BTreeMap<String, String>,
    /// Who may use the workspace, matched by user id.
    #[audit(nested, key = user_id)]
    pub members: Vec<Member>,
}

/// A workspace's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
pub struct WorkspaceSettings {
    /// The color theme.
    #[audit(track)]
    pub theme: String,
    /// Where events are posted.
    #[audit(track)]
    pub webhook_url: Option<String>,
    /// Signs the events posted to the webhook. Fingerprinted: a random key,
    /// too long to guess, so an auditor can tell a rotation from a rollback.
    #[audit(secret = "signs webhook events", fingerprint)]
    pub webhook_secret: String,
    /// When the settings were last read from storage.
    #[audit(ignore = "a cache timestamp")]
    pub loaded_at: u64,
}

/// A member of a workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Auditable)]
#[audit(embedded)]
pub struct Member {
    /// The member's user id.
    #[audit(track)]
    pub user_id: Uuid,
    /// What the member may do: `viewer`, `editor` or `owner`.
    #[audit(track)]
    pub role: String,
    /// The token of a pending invitation.
    #[audit(secret = "accepts the invitation")]
    pub invite_token: Option<String>,
}
