// The expansion of serde-rename.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> ::audit_core::__private::SchemaOf
    for __AuditSchema<T> {
        const ACTIONS: &'static [::audit_core::Action] = &[
            ::audit_core::__private::action("create"),
            ::audit_core::__private::action("write"),
            ::audit_core::__private::action("delete"),
        ];
        const SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(::audit_core::__private::SchemaParts {
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
            fields: &::audit_core::__private::fields(
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
    impl ::audit_core::__private::ContainsAudited for Document {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Document {
        const SCHEMA: &'static ::audit_core::Schema = ::audit_core::__private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn diff_into(
            __audit_diff: &mut ::audit_core::Diff,
            __audit_path: &::audit_core::__private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            ::audit_core::__private::track::<
                u64,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            ::audit_core::__private::track::<
                i32,
            >(
                __audit_diff,
                __audit_path,
                "pinOrder",
                &__audit_old.pin_order,
                &__audit_new.pin_order,
            );
            ::audit_core::__private::track::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "kind",
                &__audit_old.r#type,
                &__audit_new.r#type,
            );
            ::audit_core::__private::track::<
                bool,
            >(
                __audit_diff,
                __audit_path,
                "loop",
                &__audit_old.r#loop,
                &__audit_new.r#loop,
            );
            ::audit_core::__private::track::<
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
    ::audit_core::__private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Document {
        #[inline]
        fn resource_id(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<u64>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<u64>(&self.id)
        }
        #[inline]
        fn resource_link(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn organization_id(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
    }
};
