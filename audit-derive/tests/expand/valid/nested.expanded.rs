// The expansion of nested.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> ::audit_core::__private::SchemaOf
    for __AuditSchema<T> {
        const ACTIONS: &'static [::audit_core::Action] = &[];
        const SCHEMA: &'static ::audit_core::Schema = &::audit_core::__private::schema(::audit_core::__private::SchemaParts {
            rust_name: "Member",
            resource_type: "member",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &[],
            noun: "",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &::audit_core::__private::fields(
                ["id", "invite"],
                ["id", "invite"],
                ["u64", "String"],
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
            kind: ::audit_core::SchemaKind::Embedded,
            partial: ::core::option::Option::None,
        });
    }
    #[automatically_derived]
    impl ::audit_core::__private::ContainsAudited for Member {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Member {
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
            ::audit_core::__private::secret::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "invite",
                &__audit_old.invite,
                &__audit_new.invite,
            );
        }
    }
};
const _: () = {
    #[allow(unused_imports)]
    use ::audit_core::__private::NotNested as _;
    const _: () = ::audit_core::__private::assert_nested::<Option<Settings>>();
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
            rust_name: "Project",
            resource_type: "project",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "project",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &::audit_core::__private::fields(
                ["id", "backup", "labels", "env", "members", "tags"],
                ["id", "backup", "labels", "env", "members", "tags"],
                [
                    "u64",
                    "Option<Settings>",
                    "BTreeMap<String, String>",
                    "HashMap<String, String>",
                    "Vec<Member>",
                    "HashSet<String>",
                ],
                b"tntsnt",
                b"nnnnnn",
                ["", "", "", "", "", ""],
                b"nnnnnn",
                ["", "", "", "", "", ""],
                b"nnnnnn",
                b"voeekv",
                ["", "", "", "", "id", ""],
                &[
                    ::audit_core::__private::Nest::<Option<Settings>>::SCHEMA,
                    <<Vec<
                        Member,
                    > as ::audit_core::__private::KeyedList>::Element as ::audit_core::AuditFields>::SCHEMA,
                ],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    const _: () = ::core::assert!(
        ::audit_core::__private::key_is_tracked(<< Vec < Member > as
        ::audit_core::__private::KeyedList > ::Element as ::audit_core::AuditFields >
        ::SCHEMA, "id",),
        "the list `members` is keyed by `id`, which is not a tracked field of its elements: the key's value is written into the path of every change (`members[id=...]`), so a secret or ignored one would be recorded; key the list by a tracked field, or classify `id` `#[audit(track)]`",
    );
    #[automatically_derived]
    impl ::audit_core::__private::ContainsAudited for Project {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Project {
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
            ::audit_core::__private::Nest::<
                Option<Settings>,
            >::nested(
                __audit_diff,
                __audit_path,
                "backup",
                &__audit_old.backup,
                &__audit_new.backup,
            );
            ::audit_core::__private::track_entries::<
                BTreeMap<String, String>,
            >(
                __audit_diff,
                __audit_path,
                "labels",
                &__audit_old.labels,
                &__audit_new.labels,
            );
            ::audit_core::__private::secret_entries::<
                HashMap<String, String>,
            >(__audit_diff, __audit_path, "env", &__audit_old.env, &__audit_new.env);
            ::audit_core::__private::keyed::<
                Vec<Member>,
                _,
                _,
            >(
                __audit_diff,
                __audit_path,
                "members",
                "id",
                &__audit_old.members,
                &__audit_new.members,
                |__audit_element| &__audit_element.id,
            );
            ::audit_core::__private::track_canonical::<
                HashSet<String>,
            >(__audit_diff, __audit_path, "tags", &__audit_old.tags, &__audit_new.tags);
        }
    }
    ::audit_core::__private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Project {
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
