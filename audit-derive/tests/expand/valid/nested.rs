// An embedded struct implements `AuditFields` only; a resource nests it as a
// struct, an `Option`, a per-entry map and a keyed list. A tracked field is
// probed for auditable types; a tracked `HashSet` is recorded sorted.
#[derive(Auditable)]
#[audit(embedded)]
struct Member {
    #[audit(track)]
    id: u64,
    #[audit(secret)]
    invite: String,
}

#[derive(Auditable)]
struct Project {
    #[audit(track)]
    id: u64,
    #[audit(nested)]
    backup: Option<Settings>,
    #[audit(track, entries)]
    labels: BTreeMap<String, String>,
    #[audit(secret, entries)]
    env: HashMap<String, String>,
    #[audit(nested, key = id)]
    members: Vec<Member>,
    #[audit(track)]
    tags: HashSet<String>,
}
