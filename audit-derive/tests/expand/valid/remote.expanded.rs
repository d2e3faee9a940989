// The expansion of remote.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "ChatAudit",
            resource_type: "chat",
            doc: ::core::option::Option::Some(
                "Mirrors a type generated elsewhere, field by field.",
            ),
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "chat",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::Some("/chats/{id}"),
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["id", "title", "share_token", "updated_at"],
                ["id", "title", "share_token", "updated_at"],
                ["i64", "String", "String", "u64"],
                b"ttsi",
                b"nnnn",
                ["", "", "share link grants access", "bookkeeping"],
                b"nnyy",
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
    __audit_private::register_schema!(__AuditSchema < () >);
    const _: fn(&entity::chat::Model) = |__audit_value| {
        let entity::chat::Model { id: _, title: _, share_token: _, updated_at: _ } = __audit_value;
        let _: &i64 = &__audit_value.id;
        let _: &String = &__audit_value.title;
        let _: &String = &__audit_value.share_token;
        let _: &u64 = &__audit_value.updated_at;
    };
    const _: fn(&ChatAudit) = |__audit_mirror| {
        let ChatAudit {
            id: __audit_field_0,
            title: __audit_field_1,
            share_token: __audit_field_2,
            updated_at: __audit_field_3,
        } = __audit_mirror;
        let _ = (__audit_field_0, __audit_field_1, __audit_field_2, __audit_field_3);
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited<ChatAudit> for entity::chat::Model {}
    #[automatically_derived]
    impl ::audit_core::Audited<ChatAudit> for entity::chat::Model {
        const AUDIT_SCHEMA: &'static ::audit_core::Schema = __audit_private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn audit_resource_id(&self) -> __audit_private::String {
            __audit_private::display::<_>(&self.id)
        }
        #[inline]
        fn audit_resource_target(&self) -> __audit_private::String {
            __audit_private::display::<_>(&self.title)
        }
        #[inline]
        fn audit_resource_link(
            &self,
        ) -> ::core::option::Option<__audit_private::String> {
            {
                let mut __audit_link = __audit_private::String::with_capacity(47usize);
                __audit_link.push_str("/chats/");
                __audit_private::push_link_segment::<_>(&mut __audit_link, &self.id)?;
                ::core::option::Option::Some(__audit_link)
            }
        }
        #[inline]
        fn audit_organization_id(
            &self,
        ) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn audit_diff_into(
            __audit_diff: &mut ::audit_core::Diff,
            __audit_path: &__audit_private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            __audit_private::track::<
                _,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            __audit_private::track_outlined::<
                _,
            >(
                __audit_diff,
                __audit_path,
                "title",
                &__audit_old.title,
                &__audit_new.title,
            );
            __audit_private::secret_outlined::<
                _,
            >(
                __audit_diff,
                __audit_path,
                "share_token",
                &__audit_old.share_token,
                &__audit_new.share_token,
            );
        }
    }
};
