// The expansion of unclassified-field.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
::core::compile_error! {
    "field `title` of `Chat` is not classified for the audit log; add `#[audit(track)]` to record its changes, `#[audit(secret)]` to record only that it changed, or `#[audit(ignore = \"why\")]` to leave it out"
}
const _: () = {
    #[automatically_derived]
    impl ::audit_core::Auditable for Chat {
        const SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(
            "Chat",
            "chat",
            ::core::option::Option::None,
            {
                const __AUDIT_ACTIONS: &'static [::audit_core::Action] = &[];
                __AUDIT_ACTIONS
            },
            false,
            ::core::option::Option::None,
            ::core::option::Option::None,
            &::audit_core::__private::fields([], [], [], b"", [], b"", [], b""),
        );
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
        fn diff(_: &Self, _: &Self) -> ::audit_core::Diff {
            ::audit_core::Diff::new()
        }
    }
};
