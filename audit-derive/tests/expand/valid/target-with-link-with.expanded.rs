// The expansion of target-with-link-with.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    const __AUDIT_SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(
        "Workspace",
        "workspace",
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
        ::core::option::Option::Some("crate::links::workspace"),
        &::audit_core::__private::fields(
            ["id", "title"],
            ["id", "title"],
            ["Uuid", "String"],
            b"ts",
            ["", ""],
            b"nn",
            ["", ""],
            b"nn",
        ),
    );
    ::audit_core::__private::register_schema!(__AUDIT_SCHEMA);
    #[automatically_derived]
    impl ::audit_core::Auditable for Workspace {
        const SCHEMA: &'static ::audit_core::Schema = __AUDIT_SCHEMA;
        #[inline]
        fn resource_id(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<Uuid>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> ::audit_core::__private::String {
            short_id(self)
        }
        #[inline]
        fn resource_link(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            crate::links::workspace(self)
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
                Uuid,
            >(&mut __audit_diff, "id", &__audit_old.id, &__audit_new.id);
            ::audit_core::__private::secret::<
                String,
            >(&mut __audit_diff, "title", &__audit_old.title, &__audit_new.title);
            __audit_diff
        }
    }
};
