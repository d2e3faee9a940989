//! No secret value reaches the page, its JSON or its exports, whatever the
//! entries: a property test over generated entries.

use audit_core::viewer::{ViewerSource, router};
use audit_core::{Action, AuditRequest, Auditable, MemorySink, secret_fingerprint};
use proptest::prelude::*;
use tower::ServiceExt as _;

/// A resource with secrets, fingerprinted and not, beside tracked values.
#[derive(Clone, Debug, serde::Serialize, Auditable)]
#[audit(resource = "integration", target = name, actions(create, write, delete))]
struct Integration {
    #[audit(track)]
    id: String,
    #[audit(track)]
    name: String,
    #[audit(secret = "grants API access", fingerprint)]
    api_token: String,
    #[audit(secret = "a password")]
    password: String,
}

/// A secret: distinctive enough that finding it in a page is no accident.
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9<>&\"' ]{6,24}".prop_map(|tail| format!("SECRET-{tail}"))
}

fn integration() -> impl Strategy<Value = Integration> {
    ("[a-z0-9]{1,4}", "[ -~]{0,20}", secret(), secret()).prop_map(
        |(id, name, api_token, password)| Integration {
            id,
            name,
            api_token,
            password,
        },
    )
}

/// GET `uri` from `app`: the body.
async fn body(app: &axum::Router, uri: &str) -> String {
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_secret_reaches_the_page(
        changes in proptest::collection::vec(
            (0..3usize, proptest::option::of(integration()), proptest::option::of(integration()), 100..600u16),
            1..12,
        )
    ) {
        let key = secret_fingerprint::FingerprintKey::derive("k1", b"a master key of at least 32 bytes, for tests");
        let sink = MemorySink::new();
        let mut secrets = Vec::new();
        secret_fingerprint::with_key(key, || {
            for (action, old, new, status) in &changes {
                for value in old.iter().chain(new) {
                    secrets.push(value.api_token.clone());
                    secrets.push(value.password.clone());
                }
                let action = [Action::CREATE, Action::WRITE, Action::DELETE][*action].clone();
                let mut request = AuditRequest::new(&sink, action).actor("ada");
                if let Some(old) = old {
                    request.set_old(old.clone());
                }
                if let Some(new) = new {
                    request.set_new(new.clone());
                }
                request.commit(*status).unwrap();
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let lines: Vec<String> = sink.entries().iter().map(|entry| serde_json::to_string(entry).unwrap()).collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        let app = router(ViewerSource::json_lines(&path));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            for uri in ["/", "/?q=field%3Aapi_token", "/entries", "/export.csv", "/export.jsonl"] {
                let text = body(&app, uri).await;
                for secret in &secrets {
                    prop_assert!(!text.contains(secret.as_str()), "{uri} shows {secret:?}");
                    let escaped = secret.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;");
                    prop_assert!(!text.contains(escaped.as_str()), "{uri} shows {secret:?}");
                }
            }
            // The page did show the entries.
            let page = body(&app, "/").await;
            prop_assert_eq!(page.matches("<li class=\"entry\"").count(), changes.len().min(50));
            Ok(())
        })?;
    }
}
