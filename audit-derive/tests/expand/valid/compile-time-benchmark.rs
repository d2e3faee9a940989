// One struct of audit-core's compile_time benchmark (benches/compile_time.rs),
// which builds 200 of them: what the compile budget pays for.
/// Workspace number 0, as a service stores it.
#[derive(Auditable)]
#[audit(org = organization_id, noun = "workspace", actions(create, write, delete, start, stop, archive))]
pub struct Workspace0 {
    /// The workspace's id.
    #[audit(track)]
    pub id: Uuid,
    /// The workspace's owner id.
    #[audit(track)]
    pub owner_id: Uuid,
    /// The workspace's organization id.
    #[audit(track)]
    pub organization_id: Uuid,
    /// The workspace's template id.
    #[audit(track)]
    pub template_id: Option<Uuid>,
    /// The workspace's name.
    #[audit(track, says(changed = "renamed {noun} {old} to {new}"))]
    pub name: String,
    /// The workspace's description.
    #[audit(track)]
    pub description: String,
    /// The workspace's api token.
    #[audit(secret = "grants access to the workspace")]
    pub api_token: String,
    /// The workspace's archived.
    #[audit(track, says(true = "archived {noun} {target}", false = "unarchived {noun} {target}"))]
    pub archived: bool,
    /// The workspace's locked.
    #[audit(track, says(true = "locked {noun} {target}"))]
    pub locked: bool,
    /// The workspace's autostart.
    #[audit(track)]
    pub autostart: bool,
    /// The workspace's ttl seconds.
    #[audit(track)]
    pub ttl_seconds: i64,
    /// The workspace's cpu limit.
    #[audit(track)]
    pub cpu_limit: u32,
    /// The workspace's memory mb.
    #[audit(track)]
    pub memory_mb: u64,
    /// The workspace's tags.
    #[audit(track)]
    pub tags: Vec<String>,
    /// The workspace's labels.
    #[audit(track)]
    pub labels: BTreeMap<String, String>,
    /// The workspace's deleted reason.
    #[audit(track)]
    pub deleted_reason: Option<String>,
    /// The workspace's created at.
    #[audit(track)]
    pub created_at: OffsetDateTime,
    /// The workspace's updated at.
    #[audit(track)]
    pub updated_at: OffsetDateTime,
    /// The workspace's dormant at.
    #[audit(track)]
    pub dormant_at: Option<OffsetDateTime>,
    /// The workspace's last used at.
    #[audit(ignore = "liveness ping")]
    pub last_used_at: OffsetDateTime,
}
