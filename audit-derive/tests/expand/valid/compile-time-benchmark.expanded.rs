// The expansion of compile-time-benchmark.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            __audit_private::action("start"),
            __audit_private::action("stop"),
            __audit_private::action("archive"),
        ];
        const SCHEMA: &'static ::audit_core::Schema = &__audit_private::schema(__audit_private::SchemaParts {
            rust_name: "Workspace0",
            resource_type: "workspace0",
            doc: ::core::option::Option::Some(
                "Workspace number 0, as a service stores it.",
            ),
            actions: Self::ACTIONS,
            past_forms: &[
                "created",
                "updated",
                "deleted",
                "started",
                "stopped",
                "archived",
            ],
            noun: "workspace",
            sentences: &__audit_private::sentences(
                ["name", "archived", "archived", "locked"],
                b"c===",
                ["", "true", "false", "true"],
                [
                    "renamed {noun} {old} to {new}",
                    "archived {noun} {target}",
                    "unarchived {noun} {target}",
                    "locked {noun} {target}",
                ],
            ),
            requires_org: true,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                [
                    "id",
                    "owner_id",
                    "organization_id",
                    "template_id",
                    "name",
                    "description",
                    "api_token",
                    "archived",
                    "locked",
                    "autostart",
                    "ttl_seconds",
                    "cpu_limit",
                    "memory_mb",
                    "tags",
                    "labels",
                    "deleted_reason",
                    "created_at",
                    "updated_at",
                    "dormant_at",
                    "last_used_at",
                ],
                [
                    "id",
                    "owner_id",
                    "organization_id",
                    "template_id",
                    "name",
                    "description",
                    "api_token",
                    "archived",
                    "locked",
                    "autostart",
                    "ttl_seconds",
                    "cpu_limit",
                    "memory_mb",
                    "tags",
                    "labels",
                    "deleted_reason",
                    "created_at",
                    "updated_at",
                    "dormant_at",
                    "last_used_at",
                ],
                [
                    "Uuid",
                    "Uuid",
                    "Uuid",
                    "Option<Uuid>",
                    "String",
                    "String",
                    "String",
                    "bool",
                    "bool",
                    "bool",
                    "i64",
                    "u32",
                    "u64",
                    "Vec<String>",
                    "BTreeMap<String, String>",
                    "Option<String>",
                    "OffsetDateTime",
                    "OffsetDateTime",
                    "Option<OffsetDateTime>",
                    "OffsetDateTime",
                ],
                b"ttttttstttttttttttti",
                b"nnnnnnnnnnnnnnnnnnnn",
                [
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "grants access to the workspace",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "liveness ping",
                ],
                b"nnnnnnynnnnnnnnnnnny",
                [
                    "The workspace's id.",
                    "The workspace's owner id.",
                    "The workspace's organization id.",
                    "The workspace's template id.",
                    "The workspace's name.",
                    "The workspace's description.",
                    "The workspace's api token.",
                    "The workspace's archived.",
                    "The workspace's locked.",
                    "The workspace's autostart.",
                    "The workspace's ttl seconds.",
                    "The workspace's cpu limit.",
                    "The workspace's memory mb.",
                    "The workspace's tags.",
                    "The workspace's labels.",
                    "The workspace's deleted reason.",
                    "The workspace's created at.",
                    "The workspace's updated at.",
                    "The workspace's dormant at.",
                    "The workspace's last used at.",
                ],
                b"yyyyyyyyyyyyyyyyyyyy",
                b"vvvvvvvvvvvvvvvvvvvv",
                [
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::None,
        });
    }
    const _: () = {
        #[allow(unused_imports)]
        use __audit_private::NotAudited as _;
        ::core::assert!(
            ! __audit_private::Probe:: < Uuid, _ > ::AUDITED,
            "the tracked fields `id`, `owner_id`, `organization_id` and `template_id` hold the type `Uuid`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking them whole would record its secret and ignored fields; classify each field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    const _: () = {
        #[allow(unused_imports)]
        use __audit_private::NotAudited as _;
        ::core::assert!(
            ! __audit_private::Probe:: < OffsetDateTime, _ > ::AUDITED,
            "the tracked fields `created_at`, `updated_at` and `dormant_at` hold the type `OffsetDateTime`, which is or holds an auditable type (one that derives `Auditable`, or a remote type audited through a mirror): tracking them whole would record its secret and ignored fields; classify each field `#[audit(nested)]` (with `key = field` for a list)"
        );
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited for Workspace0 {}
    #[automatically_derived]
    impl ::audit_core::AuditFields for Workspace0 {
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
                Uuid,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
            __audit_private::track_outlined::<
                Uuid,
            >(
                __audit_diff,
                __audit_path,
                "owner_id",
                &__audit_old.owner_id,
                &__audit_new.owner_id,
            );
            __audit_private::track_outlined::<
                Uuid,
            >(
                __audit_diff,
                __audit_path,
                "organization_id",
                &__audit_old.organization_id,
                &__audit_new.organization_id,
            );
            __audit_private::track_outlined::<
                Option<Uuid>,
            >(
                __audit_diff,
                __audit_path,
                "template_id",
                &__audit_old.template_id,
                &__audit_new.template_id,
            );
            __audit_private::track_outlined::<
                String,
            >(__audit_diff, __audit_path, "name", &__audit_old.name, &__audit_new.name);
            __audit_private::track_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "description",
                &__audit_old.description,
                &__audit_new.description,
            );
            __audit_private::secret_outlined::<
                String,
            >(
                __audit_diff,
                __audit_path,
                "api_token",
                &__audit_old.api_token,
                &__audit_new.api_token,
            );
            __audit_private::track::<
                bool,
            >(
                __audit_diff,
                __audit_path,
                "archived",
                &__audit_old.archived,
                &__audit_new.archived,
            );
            __audit_private::track::<
                bool,
            >(
                __audit_diff,
                __audit_path,
                "locked",
                &__audit_old.locked,
                &__audit_new.locked,
            );
            __audit_private::track::<
                bool,
            >(
                __audit_diff,
                __audit_path,
                "autostart",
                &__audit_old.autostart,
                &__audit_new.autostart,
            );
            __audit_private::track::<
                i64,
            >(
                __audit_diff,
                __audit_path,
                "ttl_seconds",
                &__audit_old.ttl_seconds,
                &__audit_new.ttl_seconds,
            );
            __audit_private::track::<
                u32,
            >(
                __audit_diff,
                __audit_path,
                "cpu_limit",
                &__audit_old.cpu_limit,
                &__audit_new.cpu_limit,
            );
            __audit_private::track::<
                u64,
            >(
                __audit_diff,
                __audit_path,
                "memory_mb",
                &__audit_old.memory_mb,
                &__audit_new.memory_mb,
            );
            __audit_private::track_outlined::<
                Vec<String>,
            >(__audit_diff, __audit_path, "tags", &__audit_old.tags, &__audit_new.tags);
            __audit_private::track_outlined::<
                BTreeMap<String, String>,
            >(
                __audit_diff,
                __audit_path,
                "labels",
                &__audit_old.labels,
                &__audit_new.labels,
            );
            __audit_private::track_outlined::<
                Option<String>,
            >(
                __audit_diff,
                __audit_path,
                "deleted_reason",
                &__audit_old.deleted_reason,
                &__audit_new.deleted_reason,
            );
            __audit_private::track_outlined::<
                OffsetDateTime,
            >(
                __audit_diff,
                __audit_path,
                "created_at",
                &__audit_old.created_at,
                &__audit_new.created_at,
            );
            __audit_private::track_outlined::<
                OffsetDateTime,
            >(
                __audit_diff,
                __audit_path,
                "updated_at",
                &__audit_old.updated_at,
                &__audit_new.updated_at,
            );
            __audit_private::track_outlined::<
                Option<OffsetDateTime>,
            >(
                __audit_diff,
                __audit_path,
                "dormant_at",
                &__audit_old.dormant_at,
                &__audit_new.dormant_at,
            );
        }
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    #[automatically_derived]
    impl ::audit_core::Auditable for Workspace0 {
        #[inline]
        fn resource_id(&self) -> __audit_private::String {
            __audit_private::display::<Uuid>(&self.id)
        }
        #[inline]
        fn resource_target(&self) -> __audit_private::String {
            __audit_private::display::<String>(&self.name)
        }
        #[inline]
        fn resource_link(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn organization_id(&self) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::Some(
                __audit_private::display::<Uuid>(&self.organization_id),
            )
        }
        #[inline]
        fn sentence_matches(&self, __audit_sentence: usize) -> bool {
            match __audit_sentence {
                1usize => __audit_private::SentenceValue::is(&(true), &self.archived),
                2usize => __audit_private::SentenceValue::is(&(false), &self.archived),
                3usize => __audit_private::SentenceValue::is(&(true), &self.locked),
                _ => false,
            }
        }
    }
};
