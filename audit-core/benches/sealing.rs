//! Audited transactions in parallel on PostgreSQL: 16 connections, each
//! running transactions that update a row, audit the change into an
//! `Outbox`, insert its entry with `postgres::insert_entries`, wait 5 ms (the
//! application's remaining work) and commit; against the same transactions
//! inserting the entry's JSON into a plain table (an unchained row). A
//! store is open throughout, as in a service, its sealer chaining the rows
//! as they commit; during the `sealed` variant a probe measures the sealing delay under that load: every
//! 20 ms it commits one more entry and times how long until it is sealed.
//!
//! PostgreSQL is `AUDIT_BENCH_DATABASE_URL` when set, else a throwaway
//! server started with `.ci/pg.sh` (fsync off, as in the tests) and stopped
//! at the end. Run with
//! `cargo bench -p audit-core --features postgres --bench sealing -- [--seconds 5] [--rounds 3] [unchained sealed]`;
//! the variants named (both by default) run in turn, round after round, so
//! that a busy machine disturbs them alike. See docs/performance.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use audit_core::postgres::{PostgresStore, insert_entries};
use audit_core::store::Outbox;
use audit_core::{Action, AuditRequest, Auditable};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection as _, PgPool};

/// Connections, each running one transaction after the other.
const CONNECTIONS: usize = 16;

/// The application's work after the insert, before the commit.
const WORK: Duration = Duration::from_millis(5);

#[derive(Clone, serde::Serialize, Auditable)]
struct Account {
    #[audit(track)]
    id: i32,
    #[audit(track)]
    balance: i64,
}

/// How a transaction writes its audit entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    /// Its JSON into a plain table: no chain at all.
    Unchained,
    /// `insert_entries`: unsealed, chained by the store's sealer.
    Sealed,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Unchained => "unchained",
            Variant::Sealed => "sealed",
        }
    }
}

struct Options {
    seconds: u64,
    rounds: usize,
    variants: Vec<Variant>,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 5,
        rounds: 3,
        variants: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => options.seconds = args.next().unwrap().parse().unwrap(),
            "--rounds" => options.rounds = args.next().unwrap().parse().unwrap(),
            "unchained" => options.variants.push(Variant::Unchained),
            "sealed" => options.variants.push(Variant::Sealed),
            // What cargo bench passes to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other:?}"),
        }
    }
    if options.variants.is_empty() {
        options.variants = vec![Variant::Unchained, Variant::Sealed];
    }
    options
}

fn pg_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/pg.sh")
}

/// The server's URL, and the state directory of a throwaway one to stop.
fn pg_url() -> (String, Option<PathBuf>) {
    if let Ok(url) = std::env::var("AUDIT_BENCH_DATABASE_URL") {
        return (url, None);
    }
    let state = std::env::temp_dir().join(format!("audit-pg-sealing-{}", std::process::id()));
    let output = Command::new(pg_script())
        .arg("start")
        .arg(&state)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = String::from_utf8(output.stdout).unwrap();
    (format!("{}?sslmode=disable", url.trim()), Some(state))
}

/// A pool of `CONNECTIONS` + 2 on a fresh schema with the audit table, the
/// accounts the transactions update and the plain table.
async fn pool(url: &str) -> PgPool {
    let admin = PgPool::connect(url).await.unwrap();
    sqlx::raw_sql(
        "DROP SCHEMA IF EXISTS bench_sealing CASCADE; CREATE SCHEMA bench_sealing; \
         CREATE TABLE bench_sealing.accounts (id integer PRIMARY KEY, balance bigint NOT NULL); \
         CREATE TABLE bench_sealing.plain_entries (id uuid PRIMARY KEY, entry jsonb NOT NULL);",
    )
    .execute(&admin)
    .await
    .unwrap();
    let options: PgConnectOptions = url.parse().unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(u32::try_from(CONNECTIONS).unwrap() + 2)
        .connect_with(options.options([("search_path", "bench_sealing")]))
        .await
        .unwrap();
    PostgresStore::migrate(&pool).await.unwrap();
    for id in 0..=i32::try_from(CONNECTIONS).unwrap() {
        sqlx::query("INSERT INTO accounts VALUES ($1, 0)")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool
}

/// One audited transaction on `account`: update, audit, insert the entry,
/// work, commit. The entry's id.
async fn transaction(pool: &PgPool, variant: Variant, account: i32) -> uuid::Uuid {
    let mut conn = pool.acquire().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    let outbox = Outbox::new();
    let mut audit = AuditRequest::new(&outbox, Action::WRITE).actor("bench");
    let balance: i64 = sqlx::query_scalar(
        "UPDATE accounts SET balance = balance + 1 WHERE id = $1 RETURNING balance",
    )
    .bind(account)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    audit.set_old(Account {
        id: account,
        balance: balance - 1,
    });
    audit.set_new(Account {
        id: account,
        balance,
    });
    audit.commit(200).unwrap();
    let entries = outbox.take();
    let id = entries[0].id;
    match variant {
        Variant::Sealed => {
            insert_entries(&mut tx, entries).await.unwrap();
        }
        Variant::Unchained => {
            sqlx::query("INSERT INTO plain_entries (id, entry) VALUES ($1, $2::jsonb)")
                .bind(id)
                .bind(serde_json::to_string(&entries[0]).unwrap())
                .execute(&mut *tx)
                .await
                .unwrap();
        }
    }
    tokio::time::sleep(WORK).await;
    tx.commit().await.unwrap();
    id
}

/// Runs `variant` on every connection for `seconds`: transactions per
/// second, and the sealing delays the probe measured (sealed only).
async fn run(pool: &PgPool, variant: Variant, seconds: u64) -> (f64, Vec<Duration>) {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for account in 0..i32::try_from(CONNECTIONS).unwrap() {
        let (pool, stop, done) = (pool.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                transaction(&pool, variant, account).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let probe = (variant == Variant::Sealed).then(|| {
        let (pool, stop) = (pool.clone(), stop.clone());
        tokio::spawn(async move {
            let mut delays = Vec::new();
            let probe_account = i32::try_from(CONNECTIONS).unwrap();
            while !stop.load(Ordering::Relaxed) {
                let id = transaction(&pool, variant, probe_account).await;
                let committed = Instant::now();
                loop {
                    let sealed: bool = sqlx::query_scalar(
                        "SELECT seq IS NOT NULL FROM audit_entries WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    if sealed {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                delays.push(committed.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            delays
        })
    });
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let delays = match probe {
        Some(probe) => probe.await.unwrap(),
        None => Vec::new(),
    };
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let rate = done.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64();
    (rate, delays)
}

/// The `at`th fraction of sorted `delays`, in milliseconds.
fn percentile(delays: &[Duration], at: f64) -> f64 {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let index = ((delays.len() - 1) as f64 * at).round() as usize;
    delays[index].as_secs_f64() * 1000.0
}

fn main() {
    let options = options();
    let (url, state) = pg_url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pool = pool(&url).await;
        // The sealer runs throughout: a store is open, as in a service.
        let store = PostgresStore::builder(pool.clone())
            .origin("bench")
            .open()
            .await
            .unwrap();
        let mut rates: Vec<(Variant, Vec<f64>)> =
            options.variants.iter().map(|&v| (v, Vec::new())).collect();
        let mut delays = Vec::new();
        for round in 1..=options.rounds {
            for (variant, variant_rates) in &mut rates {
                let (rate, probed) = run(&pool, *variant, options.seconds).await;
                println!(
                    "round {round} {:<9} {rate:>7.0} transactions/s",
                    variant.name()
                );
                variant_rates.push(rate);
                delays.extend(probed);
            }
        }
        println!();
        for (variant, variant_rates) in &rates {
            let mut sorted = variant_rates.clone();
            sorted.sort_by(f64::total_cmp);
            println!(
                "{:<9} median {:>7.0} transactions/s ({} rounds of {} s, {CONNECTIONS} connections, {} ms of work each)",
                variant.name(),
                sorted[sorted.len() / 2],
                sorted.len(),
                options.seconds,
                WORK.as_millis()
            );
        }
        if let [(Variant::Unchained, unchained), (Variant::Sealed, sealed)] = rates.as_slice() {
            let ratios: Vec<String> = unchained
                .iter()
                .zip(sealed)
                .map(|(unchained, sealed)| format!("{:.2}x", sealed / unchained))
                .collect();
            println!("sealed / unchained, round by round: {}", ratios.join(" "));
        }
        if !delays.is_empty() {
            delays.sort();
            println!(
                "sealing delay under load, commit to sealed ({} probes): median {:.0} ms, p99 {:.0} ms, max {:.0} ms",
                delays.len(),
                percentile(&delays, 0.5),
                percentile(&delays, 0.99),
                percentile(&delays, 1.0)
            );
        }
        drop(store);
        sqlx::raw_sql(AssertSqlSafe("DROP SCHEMA bench_sealing CASCADE"))
            .execute(&pool)
            .await
            .unwrap();
    });
    if let Some(state) = state {
        let _ = Command::new(pg_script()).arg("stop").arg(state).status();
    }
}
