// The expansion of full-resource.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    #[allow(dead_code)]
    struct __AuditSchema<T: ?::core::marker::Sized>(::core::marker::PhantomData<T>);
    impl<T: ?::core::marker::Sized> platform::audit::__private::SchemaOf
    for __AuditSchema<T> {
        const ACTIONS: &'static [platform::audit::Action] = &[
            platform::audit::__private::action("create"),
            platform::audit::__private::action("write"),
            platform::audit::__private::action("archive"),
            platform::audit::__private::action("share"),
        ];
        const SCHEMA: &'static platform::audit::Schema = &platform::audit::__private::schema(platform::audit::__private::SchemaParts {
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
            fields: &platform::audit::__private::fields(
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
        use platform::audit::__private::NotAudited as _;
        ::core::assert!(
            ! (platform::audit::__private::Probe:: < Uuid, _ > ::AUDITED),
            "the tracked field `chat_id` has type `Uuid`, which holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking it whole would record its secret and ignored fields; classify the field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    #[automatically_derived]
    impl platform::audit::__private::ContainsAudited for Chat {}
    #[automatically_derived]
    impl platform::audit::AuditFields for Chat {
        const SCHEMA: &'static platform::audit::Schema = platform::audit::__private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn diff_into(
            __audit_diff: &mut platform::audit::Diff,
            __audit_path: &platform::audit::__private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            platform::audit::__private::track_outlined::<
                Uuid,
            >(
                __audit_diff,
                __audit_path,
                "chat_id",
                &__audit_old.chat_id,
                &__audit_new.chat_id,
            );
            platform::audit::__private::track::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "name",
                &__audit_old.title,
                &__audit_new.title,
            );
            platform::audit::__private::secret::<
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
    platform::audit::__private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl platform::audit::Auditable for Chat {
        #[inline]
        fn resource_id(&self) -> platform::audit::__private::String {
            platform::audit::__private::display::<Uuid>(&self.chat_id)
        }
        #[inline]
        fn resource_target(&self) -> platform::audit::__private::String {
            platform::audit::__private::display::<String>(&self.title)
        }
        #[inline]
        fn resource_link(
            &self,
        ) -> ::core::option::Option<platform::audit::__private::String> {
            {
                let mut __audit_link = platform::audit::__private::String::new();
                __audit_link.push_str("/orgs/");
                match ::core::option::Option::as_ref(&self.organization_id) {
                    ::core::option::Option::Some(__audit_value) => {
                        platform::audit::__private::push_link_segment::<
                            Uuid,
                        >(&mut __audit_link, __audit_value)?
                    }
                    ::core::option::Option::None => return ::core::option::Option::None,
                }
                __audit_link.push_str("/chats/");
                platform::audit::__private::push_link_segment::<
                    Uuid,
                >(&mut __audit_link, &self.chat_id)?;
                ::core::option::Option::Some(__audit_link)
            }
        }
        #[inline]
        fn organization_id(
            &self,
        ) -> ::core::option::Option<platform::audit::__private::String> {
            platform::audit::__private::display_option(
                ::core::option::Option::as_ref(&self.organization_id),
            )
        }
    }
};
