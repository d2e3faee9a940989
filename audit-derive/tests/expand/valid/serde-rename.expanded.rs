// The expansion of serde-rename.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "Document",
            resource_type: "document",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "document",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["id", "pinOrder", "kind", "loop", "owner"],
                ["id", "pin_order", "type", "loop", "owner_id"],
                ["u64", "i32", "String", "bool", "u64"],
                b"ttttt",
                b"nnnnn",
                ["", "", "", "", ""],
                b"nnnnn",
                ["", "", "", "", ""],
                b"nnnnn",
                b"vvvvv",
                ["", "", "", "", ""],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Document {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Document {
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
            __audit_private::track::<
                i32,
            >(
                __audit_diff,
                __audit_path,
                "pinOrder",
                &__audit_old.pin_order,
                &__audit_new.pin_order,
            );
            __audit_private::track_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "kind",
                &__audit_old.r#type,
                &__audit_new.r#type,
            );
            __audit_private::track::<
                bool,
            >(
                __audit_diff,
                __audit_path,
                "loop",
                &__audit_old.r#loop,
                &__audit_new.r#loop,
            );
            __audit_private::track::<
                u64,
            >(
                __audit_diff,
                __audit_path,
                "owner",
                &__audit_old.owner_id,
                &__audit_new.owner_id,
            );
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Document {
        #[inline]
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<u64>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            __audit_private::display::<u64>(&self.id)
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
