// A field without a class is an error; the stub impl keeps the struct usable.
#[derive(Auditable)]
struct Chat {
    #[audit(track)]
    id: u64,
    title: String,
}
