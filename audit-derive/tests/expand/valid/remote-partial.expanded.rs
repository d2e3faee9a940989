// The expansion of remote-partial.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            rust_name: "SessionAudit",
            resource_type: "session_audit",
            doc: ::core::option::Option::None,
            actions: Self::ACTIONS,
            past_forms: &["created", "updated", "deleted"],
            noun: "session audit",
            sentences: &[],
            requires_org: false,
            link: ::core::option::Option::None,
            link_with: ::core::option::Option::None,
            fields: &__audit_private::fields(
                ["id"],
                ["id"],
                ["u64"],
                b"t",
                b"n",
                [""],
                b"n",
                [""],
                b"n",
                b"v",
                [""],
                &[],
            ),
            kind: ::audit_core::SchemaKind::Resource,
            partial: ::core::option::Option::Some("`Session` is `#[non_exhaustive]`"),
        });
    }
    __audit_private::register_schema!(__AuditSchema < () >);
    const _: fn(&entity::Session) = |__audit_value| {
        let entity::Session { id: _, .. } = __audit_value;
        let _: &u64 = &__audit_value.id;
    };
    const _: fn(&SessionAudit) = |__audit_mirror| {
        let SessionAudit { id: __audit_field_0 } = __audit_mirror;
        let _ = (__audit_field_0,);
    };
    #[automatically_derived]
    impl __audit_private::ContainsAudited<SessionAudit> for entity::Session {}
    #[automatically_derived]
    impl ::audit_core::Audited<SessionAudit> for entity::Session {
        const AUDIT_SCHEMA: &'static ::audit_core::Schema = __audit_private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn audit_resource_id(&self) -> __audit_private::String {
            __audit_private::display::<_>(&self.id)
        }
        #[inline]
        fn audit_resource_target(&self) -> __audit_private::String {
            __audit_private::display::<_>(&self.id)
        }
        #[inline]
        fn audit_resource_link(
            &self,
        ) -> ::core::option::Option<__audit_private::String> {
            ::core::option::Option::None
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
        }
    }
};
