// The expansion of unclassified-field.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
::core::compile_error! {
    "field `title` of `Chat` is not classified for the audit log; add `#[audit(track)]` to record its changes, `#[audit(secret)]` to record only that it changed, or `#[audit(ignore = \"why\")]` to leave it out"
}
const _: () = {
    #[automatically_derived]
    impl ::audit_core::AuditFields for Chat {
        const SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(::audit_core::__private::SchemaParts {
            rust_name: "Chat",
            resource_type: "chat",
            doc: ::core::option::Option::None,
            actions: {
                const __AUDIT_ACTIONS: &'static [::audit_core::Action] = &[];
                __AUDIT_ACTIONS
            },
            past_forms: &[],
            noun: "",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &::audit_core::__private::fields(
                [],
                [],
                [],
                b"",
                b"",
                [],
                b"",
                [],
                b"",
                b"",
                [],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
        fn diff_into(
            _: &mut ::audit_core::Diff,
            _: &::audit_core::__private::Path<'_>,
            _: &Self,
            _: &Self,
        ) {}
    }
    #[automatically_derived]
    impl ::audit_core::Auditable for Chat {
        fn resource_id(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::String::new()
        }
        fn resource_target(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::String::new()
        }
        fn resource_link(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
        fn organization_id(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
    }
};
