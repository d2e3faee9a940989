// The expansion of serialize-with.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "Job",
            resource_type: "job",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "job",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["id", "started_at", "timeout", "token"],
                ["id", "started_at", "timeout", "token"],
                ["u64", "OffsetDateTime", "Duration", "Token"],
                b"ttts",
                b"nnnn",
                ["", "", "", ""],
                b"nnnn",
                ["", "", "", ""],
                b"nnnn",
                b"vvvv",
                ["", "", "", ""],
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
            ! __audit_private::Probe:: < OffsetDateTime, _ > ::AUDITED,
            "the tracked field `started_at` holds the type `OffsetDateTime`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking the field whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    const _: () = {
        #[allow(unused_imports)]
        use __audit_private::NotAudited as _;
        ::core::assert!(
            ! __audit_private::Probe:: < Duration, _ > ::AUDITED,
            "the tracked field `timeout` holds the type `Duration`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking the field whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Job {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Job {
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
            __audit_private::track_with::<
                OffsetDateTime,
                _,
            >(
                __audit_diff,
                __audit_path,
                "started_at",
                &__audit_old.started_at,
                &__audit_new.started_at,
                |__audit_value: &OffsetDateTime, __audit_serializer| time::serde::rfc3339::serialize(
                    __audit_value,
                    __audit_serializer,
                ),
            );
            __audit_private::track_with::<
                Duration,
                _,
            >(
                __audit_diff,
                __audit_path,
                "timeout",
                &__audit_old.timeout,
                &__audit_new.timeout,
                |__audit_value: &Duration, __audit_serializer| crate::serialize_duration(
                    __audit_value,
                    __audit_serializer,
                ),
            );
            __audit_private::secret_outlined::<
                Token,
            >(
                __audit_diff,
                __audit_path,
                "token",
                &__audit_old.token,
                &__audit_new.token,
            );
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Job {
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
