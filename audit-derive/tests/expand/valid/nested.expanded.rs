// The expansion of nested.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(unused_imports)]
    use ::audit_core::__private as __audit_private;
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> __audit_private::SchemaOf for __AuditSchema<T> {
        const ACTIONS: &'static [::audit_core::Action] = &[];
        const SCHEMA: &'static ::audit_core::Schema = &__audit_private::schema(__audit_private::SchemaParts {
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
            fields: &__audit_private::fields(
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
    impl __audit_private::ContainsAudited for Member {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Member {
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
            __audit_private::secret_outlined::<
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
    use ::audit_core::__private as __audit_private;
    #[allow(unused_imports)]
    use __audit_private::NotNested as _;
    const _: () = __audit_private::assert_nested::<Option<Settings>>();
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> __audit_private::SchemaOf for __AuditSchema<T> {
        const ACTIONS: &'static [::audit_core::Action] = &[
            __audit_private::action("create"),
            __audit_private::action("write"),
            __audit_private::action("delete"),
        ];
        const SCHEMA: &'static ::audit_core::Schema = &__audit_private::schema(__audit_private::SchemaParts {
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
            fields: &__audit_private::fields(
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
                    __audit_private::Nest::<Option<Settings>>::SCHEMA,
                    <<Vec<
                        Member,
                    > as __audit_private::KeyedList>::Element as ::audit_core::AuditFields>::SCHEMA,
                ],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    const _: () = ::core::assert!(
        __audit_private::key_is_tracked(<< Vec < Member > as __audit_private::KeyedList >
        ::Element as ::audit_core::AuditFields > ::SCHEMA, "id",),
        "the list `members` is keyed by `id`, which is not a tracked field of its elements: the key's value is written into the path of every change (`members[id=...]`), so a secret or ignored one would be recorded; key the list by a tracked field, or classify `id` `#[audit(track)]`",
    );
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Project {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Project {
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
            __audit_private::Nest::<
                Option<Settings>,
            >::nested(
                __audit_diff,
                __audit_path,
                "backup",
                &__audit_old.backup,
                &__audit_new.backup,
            );
            __audit_private::track_entries::<
                BTreeMap<String, String>,
            >(
                __audit_diff,
                __audit_path,
                "labels",
                &__audit_old.labels,
                &__audit_new.labels,
            );
            __audit_private::secret_entries::<
                HashMap<String, String>,
            >(__audit_diff, __audit_path, "env", &__audit_old.env, &__audit_new.env);
            __audit_private::keyed::<
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
            __audit_private::track_canonical::<
                HashSet<String>,
            >(__audit_diff, __audit_path, "tags", &__audit_old.tags, &__audit_new.tags);
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Project {
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
