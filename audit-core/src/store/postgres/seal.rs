//! The sealer: chains the committed, unsealed rows of every origin, one
//! sealer at a time per database.
//!
//! Entries are inserted without a `seq` (see `insert.rs`) by
//! `insert_entries` in the callers' transactions, which then never wait for
//! each other, and by the store's writer unless this process's sealer holds
//! the lock: the writer then chains its rows as it inserts them, holding
//! [`SealerHandle::seal_exclusively`] so that no round runs meanwhile. A
//! sealer holds the session-level advisory lock [`SEAL_LOCK`] on the table,
//! on a connection of its own; while it holds it, no other sealer seals.
//! Every [`SEAL_INTERVAL`], and whenever a flush asks, it reads
//! the committed rows that have an origin and no `seq`, in one deterministic
//! order (origin, time, id), chains each origin's after that origin's head,
//! and writes their `seq` and chained `entry_json` in one transaction. A
//! sealer that does not hold the lock tries to take it every interval, so
//! that when the holder's connection ends (its process died), another store
//! takes over within an interval of the server noticing. A writer waiting
//! for its rows (a flush) asks for a round at once: of its own process's
//! sealer, or by a notification on the channel `audit_seal`, which the
//! sealer listens to.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use std::future::Future as _;
use std::task::Poll;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Connection as _, Row as _};
use uuid::Uuid;

use crate::chain::Head;
use crate::sink::deliver;
use crate::store::batch::BoxError;
use crate::store::chain;

/// How often a sealer seals, and a standby sealer tries to take over: the
/// longest a committed entry waits to be sealed while a sealer runs, plus
/// the time its round takes (see the bench `sealing` in
/// `docs/performance.md`).
pub const SEAL_INTERVAL: Duration = Duration::from_millis(200);

/// The session-level advisory lock the one sealer of a table holds: this
/// key (`seal`, as ASCII bytes) with the table's OID, so that the tables of
/// one database's schemas each have their sealer.
const SEAL_LOCK: i32 = 0x7365_616c;

/// How many rows one sealing transaction chains at most.
const SEAL_ROUND: i64 = 5000;

/// How long the store's writer waits for its sealer's round to end before
/// it inserts its rows unsealed instead of chaining them itself.
const SEAL_EXCLUSIVE_WAIT: Duration = Duration::from_millis(100);

/// How long [`wait_sealed`] waits for rows to be sealed before it says so.
pub(crate) const SEAL_WAIT: Duration = Duration::from_secs(10);

/// How long a connection may take to be made.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The head of `origin`'s chain: its row with the highest `seq`.
pub(crate) async fn read_head(
    conn: &mut PgConnection,
    origin: &str,
) -> Result<Option<Head>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT seq, entry_json FROM audit_entries WHERE origin = $1 AND seq IS NOT NULL \
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(origin)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok(chain::head_of(row.try_get(0)?, row.try_get(1)?)))
        .transpose()
}

/// Seals up to [`SEAL_ROUND`] committed, unsealed rows in one transaction:
/// how many. The caller holds [`SEAL_LOCK`].
pub(crate) async fn seal_round(conn: &mut PgConnection) -> Result<u64, BoxError> {
    let mut tx = conn.begin().await?;
    let rows = sqlx::query(
        "SELECT id, origin, entry_json FROM audit_entries \
         WHERE seq IS NULL AND origin IS NOT NULL ORDER BY origin, \"time\", id LIMIT $1",
    )
    .bind(SEAL_ROUND)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let mut chainers: HashMap<String, crate::chain::Chainer> = HashMap::new();
    let mut ids = Vec::with_capacity(rows.len());
    let mut seqs = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: Uuid = row.try_get(0)?;
        let origin: String = row.try_get(1)?;
        let json: &str = row.try_get(2)?;
        if !chainers.contains_key(&origin) {
            let head = read_head(&mut tx, &origin).await?;
            chainers.insert(origin.clone(), chain::resume(&origin, head));
        }
        let Some(chainer) = chainers.get_mut(&origin) else {
            continue;
        };
        // A row whose JSON is not an object cannot be chained: it stays
        // unsealed, and verify reports it among the unsealed rows.
        if let Ok((seq, line)) = chain::chain_row(chainer, json) {
            ids.push(id);
            seqs.push(seq);
            lines.push(line);
        }
    }
    let sealed = sqlx::query(
        "UPDATE audit_entries SET seq = sealed.seq, entry_json = sealed.line \
         FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS sealed (id, seq, line) \
         WHERE audit_entries.id = sealed.id AND audit_entries.seq IS NULL",
    )
    .bind(&ids)
    .bind(&seqs)
    .bind(&lines)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if usize::try_from(sealed).ok() != Some(ids.len()) {
        // A row changed under the sealer (purged, or sealed by a sealer
        // that does not take the lock): chaining the others would leave a gap.
        tx.rollback().await?;
        return Err("rows changed while they were sealed; the round was rolled back".into());
    }
    tx.commit().await?;
    Ok(sealed)
}

/// The channel a writer waiting for its rows notifies, so that the sealer
/// of its table, in whichever process, seals at once.
const SEAL_CHANNEL: &str = "audit_seal";

/// Waits until none of `ids` is unsealed, for up to [`SEAL_WAIT`]; then the
/// head of `origin`'s chain. Asks for a round at once: of `sealer`, this
/// process's, when it holds the lock, else of whichever sealer does, by a
/// notification.
pub(crate) async fn wait_sealed(
    conn: &mut PgConnection,
    ids: &[Uuid],
    origin: &str,
    sealer: Option<&SealerHandle>,
) -> Result<Option<Head>, BoxError> {
    let started = Instant::now();
    let mut notified: Option<Instant> = None;
    loop {
        let local = sealer.filter(|sealer| sealer.holds_lock());
        let round = local.map(SealerHandle::nudge);
        let unsealed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_entries WHERE id = ANY($1) AND seq IS NULL",
        )
        .bind(ids)
        .fetch_one(&mut *conn)
        .await?;
        if unsealed == 0 {
            return Ok(read_head(conn, origin).await?);
        }
        if started.elapsed() >= SEAL_WAIT {
            let (entries, they) = if unsealed == 1 {
                ("entry", "it is")
            } else {
                ("entries", "they are")
            };
            return Err(format!(
                "{unsealed} {entries} committed but not sealed after {} s: \
                 no sealer runs on this table, or it cannot keep up; stored, \
                 {they} chained when a sealer runs",
                SEAL_WAIT.as_secs()
            )
            .into());
        }
        if let (Some(sealer), Some(round)) = (local, round) {
            let sealer = sealer.clone();
            // The round asked for, on a thread that may block.
            let _ = tokio::task::spawn_blocking(move || {
                sealer.wait_for_round(round, Duration::from_millis(100));
            })
            .await;
        } else {
            if notified.is_none_or(|at| at.elapsed() >= SEAL_INTERVAL) {
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(SEAL_CHANNEL)
                    .execute(&mut *conn)
                    .await?;
                notified = Some(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// What a sealer thread and the store's writer share.
#[derive(Default)]
struct State {
    /// Rounds completed (sealed, or found the lock held elsewhere).
    rounds: u64,
    /// Whether the sealer holds the table's lock.
    holds_lock: bool,
    stop: bool,
}

/// A handle on the sealer thread: to ask for a round and wait for it.
#[derive(Clone)]
pub(crate) struct SealerHandle {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when a round ends, or the sealer stops.
    done: Condvar,
    /// Asks for a round before the next interval.
    nudge: tokio::sync::Notify,
    /// Held by the sealer for a round, and by this process's writer while
    /// it chains its own rows as it inserts them: never both at once.
    sealing: tokio::sync::Mutex<()>,
}

impl SealerHandle {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether this sealer holds the table's lock: the one that seals.
    pub(crate) fn holds_lock(&self) -> bool {
        self.lock().holds_lock
    }

    /// While this sealer holds the table's lock, the right to chain rows:
    /// no round of it runs until the guard is dropped, and no other sealer
    /// seals. `None` when it does not hold the lock, or when its round goes
    /// on for longer than [`SEAL_EXCLUSIVE_WAIT`] (one catching up on many
    /// rows: the writer does not wait for it).
    pub(crate) async fn seal_exclusively(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if !self.holds_lock() {
            return None;
        }
        let guard = tokio::time::timeout(SEAL_EXCLUSIVE_WAIT, self.shared.sealing.lock())
            .await
            .ok()?;
        // Read again under the guard: the sealer updates it before it lets go.
        self.holds_lock().then_some(guard)
    }

    /// Asks for a round now; the number of rounds done so far.
    pub(crate) fn nudge(&self) -> u64 {
        let rounds = self.lock().rounds;
        self.shared.nudge.notify_one();
        rounds
    }

    /// Waits until a round that started after `round` rounds were done has
    /// ended, for up to `timeout`.
    pub(crate) fn wait_for_round(&self, round: u64, timeout: Duration) {
        let state = self.lock();
        // A round under way when asked may have missed the rows: the next.
        let _ = self
            .shared
            .done
            .wait_timeout_while(state, timeout, |state| {
                state.rounds <= round + 1 && !state.stop
            });
    }
}

/// The sealer thread of a store; dropped, it stops (after the store's writer,
/// whose last flush it serves).
pub(crate) struct Sealer {
    handle: SealerHandle,
    thread: Option<JoinHandle<()>>,
}

impl Sealer {
    /// Starts a sealer that connects with `options`.
    pub(crate) fn spawn(options: PgConnectOptions) -> std::io::Result<Sealer> {
        let handle = SealerHandle {
            shared: Arc::default(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread_handle = handle.clone();
        let thread = std::thread::Builder::new()
            .name("audit-postgres-sealer".to_owned())
            .spawn(move || runtime.block_on(run(&thread_handle, &options)))?;
        Ok(Sealer {
            handle,
            thread: Some(thread),
        })
    }

    pub(crate) fn handle(&self) -> &SealerHandle {
        &self.handle
    }
}

impl Drop for Sealer {
    fn drop(&mut self) {
        self.handle.lock().stop = true;
        self.handle.shared.done.notify_all();
        self.handle.shared.nudge.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The sealer's connection, and whether it holds the lock.
struct Session {
    conn: PgConnection,
    holds_lock: bool,
}

/// The sealer's loop: a round, then a wait for the next interval, a nudge
/// from this process or a notification from another.
async fn run(handle: &SealerHandle, options: &PgConnectOptions) {
    let mut session: Option<Session> = None;
    let mut listener: Option<PgListener> = None;
    let mut failing = false;
    loop {
        if handle.lock().stop {
            return;
        }
        // The writer chains its own rows only between rounds, and only
        // while the state says this sealer holds the lock: the state is
        // brought up to date before the writer may go on.
        let sealing = handle.shared.sealing.lock().await;
        let holds_lock = match round(&mut session, options).await {
            Ok(holds_lock) => {
                failing = false;
                holds_lock
            }
            Err(error) => {
                // The lock goes with the connection.
                session = None;
                if !failing {
                    deliver::report_fault(
                        "audit-postgres-sealer",
                        &format!("sealing failed, retrying every interval: {error}"),
                    );
                }
                failing = true;
                false
            }
        };
        {
            let mut state = handle.lock();
            state.rounds += 1;
            state.holds_lock = holds_lock;
            handle.shared.done.notify_all();
        }
        drop(sealing);
        if listener.is_none() && holds_lock {
            listener = listen(options).await;
        }
        let woken = {
            let notified = async {
                match listener.as_mut() {
                    Some(listening) => listening.recv().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            let mut notified = std::pin::pin!(notified);
            let mut nudged = std::pin::pin!(handle.shared.nudge.notified());
            tokio::time::timeout(
                SEAL_INTERVAL,
                std::future::poll_fn(|cx| {
                    if nudged.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(true);
                    }
                    notified.as_mut().poll(cx)
                }),
            )
            .await
        };
        if woken == Ok(false) {
            // The listener's connection failed: listen again next round.
            listener = None;
        }
    }
}

/// A listener on [`SEAL_CHANNEL`], if one can be made: without, the sealer
/// seals every interval all the same.
async fn listen(options: &PgConnectOptions) -> Option<PgListener> {
    let pool = PgPoolOptions::new().max_connections(1).connect_lazy_with(
        options
            .clone()
            .application_name("audit-core sealer listener"),
    );
    let mut listener = PgListener::connect_with(&pool).await.ok()?;
    listener.listen(SEAL_CHANNEL).await.ok()?;
    Some(listener)
}

/// Connects and takes the lock if need be, then seals every committed row
/// found unsealed, round after round; whether it holds the lock.
async fn round(
    session: &mut Option<Session>,
    options: &PgConnectOptions,
) -> Result<bool, BoxError> {
    let session = match session {
        Some(session) => session,
        None => session.insert(Session {
            conn: tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options))
                .await
                .map_err(|_| "timed out connecting to PostgreSQL")??,
            holds_lock: false,
        }),
    };
    if !session.holds_lock {
        session.holds_lock = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock($1, 'audit_entries'::regclass::oid::int4)",
        )
        .bind(SEAL_LOCK)
        .fetch_one(&mut session.conn)
        .await?;
        if !session.holds_lock {
            return Ok(false);
        }
    }
    while seal_round(&mut session.conn).await? == u64::try_from(SEAL_ROUND).unwrap_or(0) {}
    Ok(true)
}
