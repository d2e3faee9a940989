// The expansion of remote-partial.rs; rewritten by `SNAPSHOTS=overwrite cargo test -p audit-derive`.
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
            fields: &::audit_core::__private::fields(
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
    ::audit_core::__private::register_schema!(__AuditSchema < () >);
    const _: fn(&entity::Session) = |__audit_value| {
        let entity::Session { id: _, .. } = __audit_value;
        let _: &u64 = &__audit_value.id;
    };
    const _: fn(&SessionAudit) = |__audit_mirror| {
        let SessionAudit { id: __audit_field_0 } = __audit_mirror;
        let _ = (__audit_field_0,);
    };
    #[automatically_derived]
    impl ::audit_core::__private::ContainsAudited<SessionAudit> for entity::Session {}
    #[automatically_derived]
    impl ::audit_core::Audited<SessionAudit> for entity::Session {
        const AUDIT_SCHEMA: &'static ::audit_core::Schema = ::audit_core::__private::schema_of::<
            __AuditSchema<()>,
        >();
        #[inline]
        fn audit_resource_id(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<_>(&self.id)
        }
        #[inline]
        fn audit_resource_target(&self) -> ::audit_core::__private::String {
            ::audit_core::__private::display::<_>(&self.id)
        }
        #[inline]
        fn audit_resource_link(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn audit_organization_id(
            &self,
        ) -> ::core::option::Option<::audit_core::__private::String> {
            ::core::option::Option::None
        }
        #[inline]
        fn audit_diff_into(
            __audit_diff: &mut ::audit_core::Diff,
            __audit_path: &::audit_core::__private::Path<'_>,
            __audit_old: &Self,
            __audit_new: &Self,
        ) {
            ::audit_core::__private::track::<
                _,
            >(__audit_diff, __audit_path, "id", &__audit_old.id, &__audit_new.id);
        }
    }
};
