// An enum is rejected; the stub impl still names the crate path it was given.
#[derive(Auditable)]
#[audit(crate = "platform::audit")]
enum Status {
    Open,
    Closed,
}
