// The expansion of generics.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            fields: &__audit_private::fields(
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
    impl<'a, I, T: Clone, S, C, const N: usize> __audit_private::ContainsAudited
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
                I,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            __audit_private::track_outlined::<
                Vec<T>,
            >(
                __audit_diff,
                __audit_path,
                "value",
                &__audit_old.value,
                &__audit_new.value,
            );
            __audit_private::secret_outlined::<
                S,
            >(
                __audit_diff,
                __audit_path,
                "secret",
                &__audit_old.secret,
                &__audit_new.secret,
            );
            __audit_private::track_outlined::<
                Option<&'a str>,
            >(
                __audit_diff,
                __audit_path,
                "owner",
                &__audit_old.owner,
                &__audit_new.owner,
            );
            __audit_private::track_outlined::<
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
    __audit_private::register_schema!(__AuditSchema < () >);
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
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<I>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            __audit_private::display::<I>(&self.id)
        }
        #[inline]
        fn resource_link(&self) -> ::core::option::Option<__audit_private::String> {
            {
                let mut __audit_link = __audit_private::String::with_capacity(88usize);
                __audit_link.push_str("/items/");
                __audit_private::push_link_segment::<I>(&mut __audit_link, &self.id)?;
                __audit_link.push_str("/");
                match ::core::option::Option::as_ref(&self.owner) {
                    ::core::option::Option::Some(__audit_value) => {
                        __audit_private::push_link_segment::<
                            &'a str,
                        >(&mut __audit_link, __audit_value)?
                    }
                    ::core::option::Option::None => return ::core::option::Option::None,
                }
                ::core::option::Option::Some(__audit_link)
            }
        }
        #[inline]
        fn organization_id(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
    }
};
