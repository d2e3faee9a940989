// The expansion of defaults.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(unused_imports)]
    use ::audit_core::__private as __audit_private;
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> __audit_private::SchemaOf for __AuditSchema<T> {
        const ACTIONS: &'static [::audit_core::Action] = &[
            __audit_private::action("create"),
            __audit_private::action("write"),
            __audit_private::action("delete"),
        ];
        const SCHEMA: &'static ::audit_core::Schema = &__audit_private::schema(__audit_private::SchemaParts {
            rust_name: "ApiKey",
            resource_type: "api_key",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "api key",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["id", "name", "last_used_at"],
                ["id", "name", "last_used_at"],
                ["u64", "String", "Option<u64>"],
                b"tti",
                b"nnn",
                ["", "", ""],
                b"nnn",
                ["", "", ""],
                b"nnn",
                b"vvv",
                ["", "", ""],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    #[automatically_derived]
    impl __audit_private::ContainsAudited for ApiKey {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for ApiKey {
        const SCHEMA: &'static ::audit_core::Schema = __audit_private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn diff_into(
            __audit_diff: &mut ::audit_core::Diff,
            __audit_path: &__audit_private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            __audit_private::track::<
                u64,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            __audit_private::track_outlined::<
                String,
            >(__audit_diff, __audit_path, "name", &__audit_old.name, &__audit_new.name);
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for ApiKey {
        #[inline]
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<u64>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            __audit_private::display::<String>(&self.name)
        }
        #[inline]
        fn resource_link(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn organization_id(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
    }
};
