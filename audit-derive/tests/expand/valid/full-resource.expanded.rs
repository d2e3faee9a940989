// The expansion of full-resource.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
const _: () = {
    const __AUDIT_SCHEMA: &'static platform::audit::Schema = &platform::audit::__private::schema(
        "Chat",
        "chat",
        ::core::option::Option::Some("A conversation between a user and an agent."),
        {
            const __AUDIT_ACTIONS: &'static [platform::audit::Action] = &[
                platform::audit::Action::from_static("create"),
                platform::audit::Action::from_static("write"),
                platform::audit::Action::from_static("archive"),
                platform::audit::Action::from_static("share"),
            ];
            __AUDIT_ACTIONS
        },
        true,
        ::core::option::Option::Some("/orgs/{organization_id}/chats/{chat_id}"),
        ::core::option::Option::None,
        &platform::audit::__private::fields(
            ["chat_id", "organization_id", "name", "system_prompt", "heartbeat_at"],
            ["chat_id", "organization_id", "title", "system_prompt", "heartbeat_at"],
            ["Uuid", "Option<Uuid>", "String", "String", "Option<OffsetDateTime>"],
            b"titsi",
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
        ),
    );
    platform::audit::__private::register_schema!(__AUDIT_SCHEMA);
    #[automatically_derived]
    impl platform::audit::Auditable for Chat {
        const SCHEMA: &'static platform::audit::Schema = __AUDIT_SCHEMA;
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
                        platform::audit::__private::push_display::<
                            Uuid,
                        >(&mut __audit_link, __audit_value)
                    }
                    ::core::option::Option::None => return ::core::option::Option::None,
                }
                __audit_link.push_str("/chats/");
                platform::audit::__private::push_display::<
                    Uuid,
                >(&mut __audit_link, &self.chat_id);
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
        #[inline]
        fn diff(__audit_old: &Self, __audit_new: &Self) -> platform::audit::Diff {
            let mut __audit_diff = platform::audit::Diff::new();
            platform::audit::__private::track::<
                Uuid,
            >(&mut __audit_diff, "chat_id", &__audit_old.chat_id, &__audit_new.chat_id);
            platform::audit::__private::track::<
                String,
            >(&mut __audit_diff, "name", &__audit_old.title, &__audit_new.title);
            platform::audit::__private::secret::<
                String,
            >(
                &mut __audit_diff,
                "system_prompt",
                &__audit_old.system_prompt,
                &__audit_new.system_prompt,
            );
            __audit_diff
        }
    }
};
