// The expansion of target-with-link-with.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "Workspace",
            resource_type: "workspace",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "workspace",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::Some("crate::links::workspace"),
            fields: &__audit_private::fields(
                ["id", "title"],
                ["id", "title"],
                ["Uuid", "String"],
                b"ts",
                b"nn",
                ["", ""],
                b"nn",
                ["", ""],
                b"nn",
                b"vv",
                ["", ""],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    const _: () = {
        #[allow(unused_imports)]
        use __audit_private::NotAudited as _;
        ::core::assert!(
            ! __audit_private::Probe:: < Uuid, _ > ::AUDITED,
            "the tracked field `id` holds the type `Uuid`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking the field whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Workspace {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Workspace {
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
            __audit_private::track_outlined::<
                Uuid,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            __audit_private::secret_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "title",
                &__audit_old.title,
                &__audit_new.title,
            );
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Workspace {
        #[inline]
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<Uuid>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            short_id(self)
        }
        #[inline]
        fn resource_link(&self) -> ::core::option::Option<__audit_private::String> {
            crate::links::workspace(self)
        }
        #[inline]
        fn organization_id(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
    }
};
