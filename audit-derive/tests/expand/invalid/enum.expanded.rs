// The expansion of enum.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
::core::compile_error! {
    "`#[derive(Auditable)]` works on structs only; audit the struct that holds this enum and classify the enum field there"
}
const _: () = {
    #[automatically_derived]
    impl platform::audit::AuditFields for Status {
        const SCHEMA: &'static platform::audit::Schema = &platform::audit::__private::schema(platform::audit::__private::SchemaParts {
            rust_name: "Status",
            resource_type: "status",
            doc: ::core::option::Option::None,
            actions: {
                const __AUDIT_ACTIONS: &'static [platform::audit::Action] = &[];
                __AUDIT_ACTIONS
            },
            past_forms: &[],
            noun: "",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &platform::audit::__private::fields(
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
            kind: platform::audit::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
        fn diff_into(
            _: &mut platform::audit::Diff,
            _: &platform::audit::__private::Path<'_>,
            _: &Self,
            _: &Self,
        ) {}
    }
    #[automatically_derived]
    impl platform::audit::Auditable for Status {
        fn resource_id(&self) -> platform::audit::__private::String {
            platform::audit::__private::String::new()
        }
        fn resource_target(&self) -> platform::audit::__private::String {
            platform::audit::__private::String::new()
        }
        fn resource_link(
            &self,
        ) -> ::core::option::Option<platform::audit::__private::String> {
            ::core::option::Option::None
        }
        fn organization_id(
            &self,
        ) -> ::core::option::Option<platform::audit::__private::String> {
            ::core::option::Option::None
        }
    }
};
