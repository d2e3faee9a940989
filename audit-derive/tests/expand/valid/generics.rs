// A generic struct: each type parameter is bounded through the fields that
// use it, for their part; one used only by ignored fields gets no bound.
#[derive(Auditable)]
#[audit(link = "/items/{id}/{owner}")]
struct Item<'a, I, T: Clone, S, C, const N: usize>
where
    C: Default,
{
    #[audit(track)]
    id: I,
    #[audit(track)]
    value: Vec<T>,
    #[audit(secret)]
    secret: S,
    #[audit(ignore = "a cache")]
    cache: C,
    #[audit(track)]
    owner: Option<&'a str>,
    #[audit(track)]
    bytes: [u8; N],
}
