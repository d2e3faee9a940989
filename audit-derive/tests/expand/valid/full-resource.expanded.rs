// The expansion of full-resource.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(unused_imports)]
    use platform::audit::__private as __audit_private;
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> __audit_private::SchemaOf for __AuditSchema<T> {
        const ACTIONS: &'static [platform::audit::Action] = &[
            __audit_private::action("create"),
            __audit_private::action("write"),
            __audit_private::action("archive"),
            __audit_private::action("share"),
        ];
        const SCHEMA: &'static platform::audit::Schema = &__audit_private::schema(__audit_private::SchemaParts {
            rust_name: "Chat",
            resource_type: "chat",
            doc: ::core::option::Option::Some(
                "A conversation between a user and an agent.",
            ),
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "archived", "shared"],
            noun: "chat",
            sentences: &[],
            requires_org: true,
            link: ::core::option::Option::Some(
                "/orgs/{organization_id}/chats/{chat_id}",
            ),
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["chat_id", "organization_id", "name", "system_prompt", "heartbeat_at"],
                ["chat_id", "organization_id", "title", "system_prompt", "heartbeat_at"],
                ["Uuid", "Option<Uuid>", "String", "String", "Option<OffsetDateTime>"],
                b"titsi",
                b"nnnnn",
                [
                    "",
                    "recorded as the entry's organization",
                    "",
                    "may contain sensitive content",
                    "changes on every message",
                ],
                b"nynyy",
                ["", "", "The title the user gave the chat.", "", ""],
                b"nnynn",
                b"vvvvv",
                ["", "", "", "", ""],
                &[],
            ),
            kind: platform::audit::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    const _: () = {
        #[allow(unused_imports)]
        use __audit_private::NotAudited as _;
        ::core::assert!(
            ! __audit_private::Probe:: < Uuid, _ > ::AUDITED,
            "the tracked field `chat_id` holds the type `Uuid`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking the field whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Chat {}
    #[automatically_derived]
    impl platform::audit::AuditFields for Chat {
        const SCHEMA: &'static platform::audit::Schema = __audit_private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn diff_into(
            __audit_diff: &mut platform::audit::Diff,
            __audit_path: &__audit_private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            __audit_private::track_outlined::<
                Uuid,
            >(
                __audit_diff,
                __audit_path,
                "chat_id",
                &__audit_old.chat_id,
                &__audit_new.chat_id,
            );
            __audit_private::track_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "name",
                &__audit_old.title,
                &__audit_new.title,
            );
            __audit_private::secret_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "system_prompt",
                &__audit_old.system_prompt,
                &__audit_new.system_prompt,
            );
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl platform::audit::Auditable for Chat {
        #[inline]
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<Uuid>(&self.chat_id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            __audit_private::display::<String>(&self.title)
        }
        #[inline]
        fn resource_link(&self) -> ::core::option::Option<__audit_private::String> {
            {
                let mut __audit_link = __audit_private::String::with_capacity(93usize);
                __audit_link.push_str("/orgs/");
                match ::core::option::Option::as_ref(&self.organization_id) {
                    ::core::option::Option::Some(__audit_value) => {
                        __audit_private::push_link_segment::<
                            Uuid,
                        >(&mut __audit_link, __audit_value)?
                    }
                    ::core::option::Option::None => return ::core::option::Option::None,
                }
                __audit_link.push_str("/chats/");
                __audit_private::push_link_segment::<
                    Uuid,
                >(&mut __audit_link, &self.chat_id)?;
                ::core::option::Option::Some(__audit_link)
            }
        }
        #[inline]
        fn organization_id(&self) -> ::core::option::Option<__audit_private::String> {
            __audit_private::display_option(
                ::core::option::Option::as_ref(&self.organization_id),
            )
        }
    }
};
