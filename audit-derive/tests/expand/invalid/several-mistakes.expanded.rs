// The expansion of several-mistakes.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
::core::compile_error! {
    "unknown audit attribute `resorce` on a struct; did you mean `resource`? expected one of `resource`, `id`, `target`, `target_with`, `link`, `link_with`, `org`, `actions`, `crate`, `embedded`, `remote`, `partial`, `noun`"
}
::core::compile_error! {
    "action `Share` is not snake_case; write `share`"
}
::core::compile_error! {
    "field `title` is classified both `track` and `secret`; keep the one you mean: a field takes exactly one of `track`, `ignore`, `secret` and `nested`"
}
::core::compile_error! {
    "`Chat` has no field named `id`; name the field that identifies the resource: `#[audit(id = chat_id)]`"
}
::core::compile_error! {
    "link placeholder `{uuid}` is not a field of `Chat`; its fields are `chat_id`, `title`"
}
const _: () = {
    #[automatically_derived]
    impl<T> ::audit_core::AuditFields for Chat<T> {
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
    impl<T> ::audit_core::Auditable for Chat<T> {
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
