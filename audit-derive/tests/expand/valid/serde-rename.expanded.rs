// The expansion of serde-rename.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    const __AUDIT_SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(
        "Document",
        "document",
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
            ["id", "pinOrder", "kind", "loop", "owner"],
            ["id", "pin_order", "type", "loop", "owner_id"],
            ["u64", "i32", "String", "bool", "u64"],
            b"ttttt",
            ["", "", "", "", ""],
            b"nnnnn",
            ["", "", "", "", ""],
            b"nnnnn",
        ),
    );
    ::audit_core::__private::register_schema!(__AUDIT_SCHEMA);
    #[automatically_derived]
    impl ::audit_core::Auditable for Document {
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
            ::audit_core::__private::track::<
                i32,
            >(
                &mut __audit_diff,
                "pinOrder",
                &__audit_old.pin_order,
                &__audit_new.pin_order,
            );
            ::audit_core::__private::track::<
                String,
            >(&mut __audit_diff, "kind", &__audit_old.r#type, &__audit_new.r#type);
            ::audit_core::__private::track::<
                bool,
            >(&mut __audit_diff, "loop", &__audit_old.r#loop, &__audit_new.r#loop);
            ::audit_core::__private::track::<
                u64,
            >(&mut __audit_diff, "owner", &__audit_old.owner_id, &__audit_new.owner_id);
            __audit_diff
        }
    }
};
