//! Generated code names everything by absolute path.
#![no_implicit_prelude]

#[derive(::audit_core::Auditable)]
#[audit(org = org, link = "/things/{id}")]
struct Thing {
    #[audit(track)]
    id: u64,
    #[audit(track)]
    org: u64,
    #[audit(secret)]
    name: ::std::string::String,
}

/// Generics, an optional organization, a target field and a link of two placeholders.
#[derive(::audit_core::Auditable)]
#[audit(org = org, target = title, link = "/orgs/{org}/pages/{id}")]
struct Page<'a, T, const N: usize>
where
    T: ::core::clone::Clone,
{
    #[audit(track)]
    id: &'a str,
    #[audit(track)]
    org: ::core::option::Option<u32>,
    #[audit(track)]
    title: ::std::string::String,
    #[audit(track)]
    items: ::std::vec::Vec<T>,
    #[audit(secret)]
    slots: [u8; N],
}

fn main() {
    let thing = Thing { id: 1, org: 2, name: ::std::string::String::new() };
    let _ = <Thing as ::audit_core::Auditable>::diff(&thing, &thing);

    mod inner {
        #[derive(::audit_core::Auditable)]
        pub(super) struct Nested {
            #[audit(track)]
            pub(super) id: u8,
        }
    }
    let nested = inner::Nested { id: 3 };
    let _ = <inner::Nested as ::audit_core::Auditable>::resource_id(&nested);

    let page: Page<'_, u8, 1> = Page {
        id: "p",
        org: ::core::option::Option::None,
        title: ::std::string::String::new(),
        items: ::std::vec::Vec::new(),
        slots: [0],
    };
    let _ = <Page<'_, u8, 1> as ::audit_core::Auditable>::resource_link(&page);
}
