// The expansion of serialize-with.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    const __AUDIT_SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(
        "Job",
        "job",
        ::core::option::Option::None,
        {
            const __AUDIT_ACTIONS: &'static [::audit_core::Action] = &[
                ::audit_core::Action::from_static("create"),
                ::audit_core::Action::from_static("write"),
                ::audit_core::Action::from_static("delete"),
            ];
            __AUDIT_ACTIONS
        },
        false,
        ::core::option::Option::None,
        ::core::option::Option::None,
        &::audit_core::__private::fields(
            ["id", "started_at", "timeout", "token"],
            ["id", "started_at", "timeout", "token"],
            ["u64", "OffsetDateTime", "Duration", "Token"],
            b"ttts",
            ["", "", "", ""],
            b"nnnn",
            ["", "", "", ""],
            b"nnnn",
        ),
    );
    ::audit_core::__private::register_schema!(__AUDIT_SCHEMA);
    #[automatically_derived]
    impl ::audit_core::Auditable for Job {
        const SCHEMA: &'static ::audit_core::Schema = __AUDIT_SCHEMA;
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
        #[inline]
        fn diff(__audit_old: &Self, __audit_new: &Self) -> ::audit_core::Diff {
            let mut __audit_diff = ::audit_core::Diff::new();
            ::audit_core::__private::track::<
                u64,
            >(&mut __audit_diff, "id", &__audit_old.id, &__audit_new.id);
            ::audit_core::__private::track_with::<
                OffsetDateTime,
                _,
            >(
                &mut __audit_diff,
                "started_at",
                &__audit_old.started_at,
                &__audit_new.started_at,
                |__audit_value: &OffsetDateTime, __audit_serializer| time::serde::rfc3339::serialize(
                    __audit_value,
                    __audit_serializer,
                ),
            );
            ::audit_core::__private::track_with::<
                Duration,
                _,
            >(
                &mut __audit_diff,
                "timeout",
                &__audit_old.timeout,
                &__audit_new.timeout,
                |__audit_value: &Duration, __audit_serializer| crate::serialize_duration(
                    __audit_value,
                    __audit_serializer,
                ),
            );
            ::audit_core::__private::secret::<
                Token,
            >(&mut __audit_diff, "token", &__audit_old.token, &__audit_new.token);
            __audit_diff
        }
    }
};
