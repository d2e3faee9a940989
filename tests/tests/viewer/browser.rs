//! The page in a real browser: headless Chromium driven through
//! `chromedriver` (`WebDriver`, with fantoccini), against the page served on a
//! loopback port. Each interaction an auditor has: a search typed and
//! submitted, a diff opened, the next page, the request-id link, the
//! "(deleted)" mark, the message for a bad query, a hostile target shown as
//! text with no script run, and a downloaded CSV.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them). Without them the test passes saying why, except under `CI=true`,
//! where it fails.
//!
//! `AUDIT_VIEWER_SCREENSHOT=PATH` also saves a screenshot of the page to
//! PATH: `docs/viewer.png` is made with
//! `AUDIT_VIEWER_SCREENSHOT=$PWD/docs/viewer.png cargo test -p audit-tests --test viewer browser`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use audit_core::viewer::{ViewerSource, router};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::fixtures::serve;
use crate::page::sqlite_store;

/// The browser and its driver, or why there are none.
fn programs() -> Result<(PathBuf, PathBuf), String> {
    let find = |names: &[&str]| {
        names.iter().find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|path| path.is_file())
            })
        })
    };
    let browser = find(&["chromium", "chromium-browser", "google-chrome"])
        .ok_or("no chromium on PATH (Debian: apt-get install chromium)")?;
    let driver = find(&["chromedriver"])
        .ok_or("no chromedriver on PATH (Debian: apt-get install chromium-driver)")?;
    Ok((browser, driver))
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The driver's process group: chromedriver and the browsers it
        // started, which outlive it otherwise (a failed test never closes
        // its session).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver(driver: &Path) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn connect(driver: &Driver, browser: &Path, downloads: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1400", "--lang=en-US"],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
            },
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap()
}

/// The sentences of the entries on the page, in order.
async fn sentences(client: &Client) -> Vec<String> {
    let mut texts = Vec::new();
    for element in client
        .find_all(Locator::Css("li.entry .sentence"))
        .await
        .unwrap()
    {
        texts.push(element.text().await.unwrap());
    }
    texts
}

/// Clicks what `locator` finds, and waits until the next page replaced
/// this one (its `<main>` is gone from the document).
async fn click_through(client: &Client, locator: Locator<'_>) {
    let main = client.find(Locator::Css("main")).await.unwrap();
    client.find(locator).await.unwrap().click().await.unwrap();
    let started = Instant::now();
    while main.text().await.is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the page did not change"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    client.find(Locator::Css("main")).await.unwrap();
}

async fn search(client: &Client, query: &str) {
    let input = client.find(Locator::Id("q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(query).await.unwrap();
    click_through(client, Locator::Css("form.search button[type=submit]")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_uses_the_page_in_a_browser() {
    let (browser, driver) = match programs() {
        Ok(programs) => programs,
        Err(reason) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the browser tests need Chromium under CI: {reason}"
            );
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let base = serve(router(ViewerSource::from(sqlite_store(&dir)))).await;
    let downloads = tempfile::tempdir().unwrap();
    let driver = start_driver(&driver);
    let client = connect(&driver, &browser, downloads.path()).await;
    let result = run(&client, &base, downloads.path()).await;
    client.close().await.unwrap();
    result.unwrap();
}

#[allow(clippy::too_many_lines, reason = "one auditor's session, step by step")]
async fn run(client: &Client, base: &str, downloads: &Path) -> Result<(), String> {
    client.goto(base).await.unwrap();
    assert_eq!(client.title().await.unwrap(), "Audit log");
    assert_eq!(sentences(client).await.len(), 11);
    if let Ok(path) = std::env::var("AUDIT_VIEWER_SCREENSHOT") {
        // Open the diffs of the first rows, as an auditor would.
        for summary in client
            .find_all(Locator::Css("li.entry details summary"))
            .await
            .unwrap()
            .into_iter()
            .skip(2)
            .take(3)
        {
            summary.click().await.unwrap();
        }
        std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
        client.goto(base).await.unwrap();
    }

    // The hostile target is text: no image element, no alert.
    assert!(
        client
            .find_all(Locator::Css("img"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(sentences(client).await.contains(
        &"<img src=x onerror=alert(1)> created chat <img src=x onerror=alert(1)>".to_owned()
    ));
    assert!(client.get_alert_text().await.is_err(), "an alert is open");

    // "(deleted)": the deleted chat's rows, not the chat a refused delete left.
    let deleted = client
        .find_all(Locator::Css(".sentence .deleted"))
        .await
        .unwrap();
    assert_eq!(deleted.len(), 2);
    assert_eq!(deleted[0].text().await.unwrap(), "(deleted)");
    assert!(
        sentences(client)
            .await
            .contains(&"user-2 deleted chat Old (deleted)".to_owned())
    );

    // A diff opens in place.
    let details = client.find(Locator::Css("li.entry details")).await.unwrap();
    let cell = details.find(Locator::Css("td.new code")).await.unwrap();
    assert!(!cell.is_displayed().await.unwrap());
    details
        .find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(cell.is_displayed().await.unwrap());
    assert_eq!(cell.text().await.unwrap(), "\"Kept up\"");
    assert_eq!(details.attr("open").await.unwrap().as_deref(), Some("true"));

    // A search typed and submitted: the query goes in the URL.
    search(client, "status:failed").await;
    assert_eq!(
        client.current_url().await.unwrap().as_str(),
        format!("{base}?q=status%3Afailed&resource_type=&action=")
    );
    assert_eq!(
        sentences(client).await,
        ["user-3 unsuccessfully attempted to delete chat Kept"]
    );

    // A menu's choice is added to the query.
    client.goto(base).await.unwrap();
    let select = client.find(Locator::Id("menu-action")).await.unwrap();
    select.select_by_value("delete").await.unwrap();
    click_through(client, Locator::Css("form.search button[type=submit]")).await;
    assert_eq!(
        client.current_url().await.unwrap().as_str(),
        format!("{base}?q=action%3Adelete")
    );
    assert_eq!(
        sentences(client).await,
        [
            "user-3 unsuccessfully attempted to delete chat Kept",
            "user-2 deleted chat Old (deleted)"
        ]
    );

    // A bad query: 400, its message above the list.
    search(client, "chat status:maybe").await;
    let error = client.find(Locator::Id("search-error")).await.unwrap();
    assert_eq!(
        error.text().await.unwrap(),
        "status:maybe: the status is a code from 100 to 599 (status:404), failed (400 and above), \
         succeeded (below 400) or uncommitted (no status)"
    );
    assert!(sentences(client).await.is_empty());

    // The next page, by cursor.
    client.goto(&format!("{base}?limit=4")).await.unwrap();
    let first = sentences(client).await;
    assert_eq!(first.len(), 4);
    click_through(client, Locator::Id("next-page")).await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("cursor=")
    );
    let second = sentences(client).await;
    assert_eq!(second.len(), 4);
    assert!(
        first.iter().all(|sentence| !second.contains(sentence)
            || sentence.starts_with("user-1 updated chat Plans"))
    );
    click_through(client, Locator::Id("next-page")).await;
    assert_eq!(sentences(client).await.len(), 3);
    assert!(
        client
            .find_all(Locator::Id("next-page"))
            .await
            .unwrap()
            .is_empty()
    );

    // The request-id link filters by the entry's request.
    client.goto(base).await.unwrap();
    click_through(client, Locator::Css("li.entry a.request")).await;
    let url = client.current_url().await.unwrap();
    assert!(
        url.as_str().starts_with(&format!("{base}?q=request_id%3A")),
        "{url}"
    );
    assert_eq!(
        sentences(client).await,
        ["=cmd|' /C calc'!A0 updated chat Kept up"]
    );

    // A downloaded CSV, of the query shown.
    client
        .goto(&format!("{base}?q=action%3Adelete"))
        .await
        .unwrap();
    client
        .find(Locator::LinkText("Export CSV"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let file = downloads.join("audit-log.csv");
    let started = Instant::now();
    while !file.is_file() {
        if started.elapsed() > Duration::from_secs(20) {
            return Err(format!("no download in {}", downloads.display()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let csv = std::fs::read_to_string(&file).unwrap();
    let records: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(records.len(), 3, "{csv}");
    assert!(records[0].starts_with(r#""id","time","actor""#), "{csv}");
    assert!(
        records[1].contains(r#","user-2 deleted chat Old","#),
        "{csv}"
    );
    assert!(
        records[2].contains(r#","user-3 unsuccessfully attempted to delete chat Kept","#),
        "{csv}"
    );
    Ok(())
}
