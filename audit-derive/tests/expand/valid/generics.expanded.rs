// The expansion of generics.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "Item",
            resource_type: "item",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "item",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::Some("/items/{id}/{owner}"),
            link_with: ::core::option::Option::None,
            fields: &::audit_core::__private::fields(
                ["id", "value", "secret", "cache", "owner", "bytes"],
                ["id", "value", "secret", "cache", "owner", "bytes"],
                ["I", "Vec<T>", "S", "C", "Option<&'a str>", "[u8; N]"],
                b"ttsitt",
                b"nnnnnn",
                ["", "", "", "a cache", "", ""],
                b"nnnynn",
                ["", "", "", "", "", ""],
                b"nnnnnn",
                b"vvvvvv",
                ["", "", "", "", "", ""],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    #[automatically_derived]
    impl<'a, I, T: Clone, S, C, const N: usize> ::audit_core::__private::ContainsAudited
    for Item<'a, I, T, S, C, N>
    where
        C: Default,
        I: ::audit_core::__private::TrackedField,
        Vec<T>: ::audit_core::__private::TrackedField,
        S: ::audit_core::__private::SecretField,
        [u8; N]: ::audit_core::__private::TrackedField,
        I: ::audit_core::__private::DisplayField,
    {}
    #[automatically_derived]
    impl<'a, I, T: Clone, S, C, const N: usize> ::audit_core::AuditFields
    for Item<'a, I, T, S, C, N>
    where
        C: Default,
        I: ::audit_core::__private::TrackedField,
        Vec<T>: ::audit_core::__private::TrackedField,
        S: ::audit_core::__private::SecretField,
        [u8; N]: ::audit_core::__private::TrackedField,
        I: ::audit_core::__private::DisplayField,
    {
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
            ::audit_core::__private::track_outlined::<
                I,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            ::audit_core::__private::track_outlined::<
                Vec<T>,
            >(
                __audit_diff,
                __audit_path,
                "value",
                &__audit_old.value,
                &__audit_new.value,
            );
            ::audit_core::__private::secret::<
                S,
            >(
                __audit_diff,
                __audit_path,
                "secret",
                &__audit_old.secret,
                &__audit_new.secret,
            );
            ::audit_core::__private::track_outlined::<
                Option<&'a str>,
            >(
                __audit_diff,
                __audit_path,
                "owner",
                &__audit_old.owner,
                &__audit_new.owner,
            );
            ::audit_core::__private::track_outlined::<
                [u8; N],
            >(
                __audit_diff,
                __audit_path,
                "bytes",
                &__audit_old.bytes,
                &__audit_new.bytes,
            );
        }
    }
    ::audit_core::__private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl<'a, I, T: Clone, S, C, const N: usize> ::audit_core::Auditable
    for Item<'a, I, T, S, C, N>
    where
        C: Default,
        I: ::audit_core::__private::TrackedField,
        Vec<T>: ::audit_core::__private::TrackedField,
        S: ::audit_core::__private::SecretField,
        [u8; N]: ::audit_core::__private::TrackedField,
        I: ::audit_core::__private::DisplayField,
    {
        #[inline]
        fn resource_id(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<I>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<I>(&self.id)
        }
        #[inline]
        fn resource_link(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            {
                let mut __audit_link = ::audit_core::__private::String::new();
                __audit_link.push_str("/items/");
                ::audit_core::__private::push_link_segment::<
                    I,
                >(&mut __audit_link, &self.id)?;
                __audit_link.push_str("/");
                match ::core::option::Option::as_ref(&self.owner) {
                    ::core::option::Option::Some(__audit_value) => {
                        ::audit_core::__private::push_link_segment::<
                            &'a str,
                        >(&mut __audit_link, __audit_value)?
                    }
                    ::core::option::Option::None => return ::core::option::Option::None,
                }
                ::core::option::Option::Some(__audit_link)
            }
        }
        #[inline]
        fn organization_id(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
    }
};
