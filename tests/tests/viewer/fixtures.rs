//! A small chat log with every kind of row the page shows, and a server.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use audit_core::secret_fingerprint::{self, FingerprintKey};
use audit_core::{Action, AuditEntry, AuditRequest, Auditable, MemorySink};
use time::OffsetDateTime;
use time::macros::datetime;

/// The resource of the fixtures.
#[derive(Clone, serde::Serialize, Auditable)]
#[audit(resource = "chat", link = "/chats/{id}", target = title,
        actions(create, write, delete, archive))]
pub(crate) struct Chat {
    #[audit(track)]
    pub(crate) id: String,
    #[audit(track)]
    pub(crate) title: String,
    #[audit(track)]
    pub(crate) archived: bool,
    #[audit(track)]
    pub(crate) labels: BTreeMap<String, String>,
    #[audit(secret = "grants API access", fingerprint)]
    pub(crate) api_token: String,
}

pub(crate) fn chat(id: &str, title: &str) -> Chat {
    Chat {
        id: id.into(),
        title: title.into(),
        archived: false,
        labels: BTreeMap::new(),
        api_token: "tok-0".into(),
    }
}

/// The key the fixtures fingerprint secrets with.
pub(crate) fn key() -> FingerprintKey {
    FingerprintKey::derive("k1", b"a master key of at least 32 bytes, for tests")
}

/// One entry: `action` by `actor` from `old` to `new`, with `status`
/// (`None`: dropped uncommitted), made at `time`.
pub(crate) fn audit(
    action: Action,
    actor: &str,
    old: Option<Chat>,
    new: Option<Chat>,
    status: Option<u16>,
    time: OffsetDateTime,
) -> AuditEntry {
    secret_fingerprint::with_key(key(), || {
        let sink = MemorySink::new();
        let mut request = AuditRequest::new(&sink, action)
            .actor(actor)
            .request_id(format!("req {actor} {}", time.unix_timestamp()))
            .user_agent("Mozilla/5.0 (X11; Linux) test")
            .ip("192.0.2.7".parse::<std::net::IpAddr>().unwrap());
        if let Some(old) = old {
            request.set_old(old);
        }
        if let Some(new) = new {
            request.set_new(new);
        }
        match status {
            Some(status) => request.commit(status).unwrap(),
            None => drop(request),
        }
        let mut entry = sink.last().unwrap();
        entry.time = time;
        entry
    })
}

/// The log, oldest first:
/// 1. user-1 creates chat 1 "Plans";
/// 2. user-1 archives it (a write of `archived`);
/// 3. user-2 creates chat 2 "Old", and deletes it (200): deleted;
/// 4. user-3 fails to delete chat 3 "Kept" (403): not deleted;
/// 5. `<img>` creates chat 4 titled `<img src=x onerror=alert(1)>`;
/// 6. user-1 rotates chat 1's token (tok-0 → tok-1), labels it, then sets
///    the token back (tok-1 → tok-0);
/// 7. user-2's write of chat 1 is dropped uncommitted;
/// 8. `=cmd|' /C calc'!A0` writes chat 3 (a formula for a spreadsheet).
#[allow(clippy::too_many_lines, reason = "the log, entry by entry")]
pub(crate) fn log() -> Vec<AuditEntry> {
    let t = |minute: i64| datetime!(2026-11-28 09:00 UTC) + time::Duration::minutes(minute);
    let plans = chat("1", "Plans");
    let archived = Chat {
        archived: true,
        ..plans.clone()
    };
    let rotated = Chat {
        api_token: "tok-1".into(),
        ..archived.clone()
    };
    let labelled = Chat {
        labels: BTreeMap::from([("team".into(), "blue".into())]),
        ..rotated.clone()
    };
    let set_back = Chat {
        api_token: "tok-0".into(),
        ..labelled.clone()
    };
    let hostile = "<img src=x onerror=alert(1)>";
    vec![
        audit(
            Action::CREATE,
            "user-1",
            None,
            Some(plans.clone()),
            Some(201),
            t(0),
        ),
        audit(
            Action::WRITE,
            "user-1",
            Some(plans),
            Some(archived.clone()),
            Some(200),
            t(1),
        ),
        audit(
            Action::CREATE,
            "user-2",
            None,
            Some(chat("2", "Old")),
            Some(201),
            t(2),
        ),
        audit(
            Action::DELETE,
            "user-2",
            Some(chat("2", "Old")),
            None,
            Some(200),
            t(3),
        ),
        audit(
            Action::DELETE,
            "user-3",
            Some(chat("3", "Kept")),
            None,
            Some(403),
            t(4),
        ),
        audit(
            Action::CREATE,
            hostile,
            None,
            Some(chat("4", hostile)),
            Some(201),
            t(5),
        ),
        audit(
            Action::WRITE,
            "user-1",
            Some(archived),
            Some(rotated.clone()),
            Some(200),
            t(6),
        ),
        audit(
            Action::WRITE,
            "user-1",
            Some(rotated),
            Some(labelled.clone()),
            Some(200),
            t(7),
        ),
        audit(
            Action::WRITE,
            "user-1",
            Some(labelled),
            Some(set_back.clone()),
            Some(200),
            t(8),
        ),
        audit(
            Action::WRITE,
            "user-2",
            Some(set_back.clone()),
            Some(Chat {
                title: "Plans 2".into(),
                ..set_back
            }),
            None,
            t(9),
        ),
        audit(
            Action::WRITE,
            "=cmd|' /C calc'!A0",
            Some(chat("3", "Kept")),
            Some(chat("3", "Kept up")),
            Some(200),
            t(10),
        ),
    ]
}

/// Serves `router` nested at `/audit/ui` on a loopback port; the base URL.
pub(crate) async fn serve(router: axum::Router) -> String {
    let app = axum::Router::new().nest("/audit/ui", router);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/audit/ui")
}

/// GET `url`: the status, the content type and the body.
pub(crate) async fn get(url: &str) -> (u16, String, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}
