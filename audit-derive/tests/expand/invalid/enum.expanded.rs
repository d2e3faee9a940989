// The expansion of enum.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
::core::compile_error! {
    "`#[derive(Auditable)]` works on structs only; audit the struct that holds this enum and classify the enum field there"
}
const _: () = {
    #[automatically_derived]
    impl platform::audit::Auditable for Status {
        const SCHEMA: &'static platform::audit::Schema = &platform::audit::__private::schema(
            "Status",
            "status",
            ::core::option::Option::None,
            {
                const __AUDIT_ACTIONS: &'static [platform::audit::Action] = &[];
                __AUDIT_ACTIONS
            },
            false,
            ::core::option::Option::None,
            ::core::option::Option::None,
            &platform::audit::__private::fields([], [], [], b"", [], b"", [], b""),
        );
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
        fn diff(_: &Self, _: &Self) -> platform::audit::Diff {
            platform::audit::Diff::new()
        }
    }
};
