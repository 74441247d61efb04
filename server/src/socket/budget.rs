//! What may wait for slow sockets, counted per identity and for the whole
//! server (see `docs/operations.md`, "Limits").
//!
//! Each outlet's own bound ([`super::OutletLimits`]) keeps one connection
//! from holding more than a document and a few frames. But one token may
//! open many connections, and many tokens many more: connections that never
//! read, each asking for the whole board with a state vector of its own,
//! held 1 GB with 40 connections of one participant on a 10 MB board. So
//! every outlet is charged to an [`Account`] of its identity (a board's
//! participant, its moderator, its viewers) and to the server's
//! [`OutboxBudget`]. When a frame takes an identity or the server over its
//! budget, the greediest connection in that scope (most bytes waiting) is
//! closed with 1013 and its queue dropped at once, so the memory goes back
//! before anything else is taken.
//!
//! Frames relayed to many peers are one allocation shared by all of them
//! but counted once per outlet: the counts are an upper bound of what the
//! outboxes hold, never an underestimate.

use super::{CloseReason, Outlet};
use crate::metrics::METRICS;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// Which budget a frame went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Identity,
    Server,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::Identity, Scope::Server];

    pub fn label(self) -> &'static str {
        match self {
            Scope::Identity => "identity",
            Scope::Server => "server",
        }
    }
}

/// Budgets in bytes of what waits in outboxes: per identity and in all.
pub struct OutboxBudget {
    per_identity: usize,
    server: usize,
    used: AtomicUsize,
    accounts: Mutex<Accounts>,
}

#[derive(Default)]
struct Accounts {
    by_identity: HashMap<String, Weak<Account>>,
    /// Every charged outlet, with its account, to find the greediest.
    outlets: Vec<(Weak<Account>, Weak<Outlet>)>,
}

/// What one identity's outlets hold.
pub struct Account {
    budget: Arc<OutboxBudget>,
    used: AtomicUsize,
}

impl OutboxBudget {
    pub fn new(per_identity: usize, server: usize) -> Arc<OutboxBudget> {
        Arc::new(OutboxBudget {
            per_identity: per_identity.max(1),
            server: server.max(1),
            used: AtomicUsize::new(0),
            accounts: Mutex::new(Accounts::default()),
        })
    }

    /// Bytes waiting in all charged outlets.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The account of `identity` (one per identity while any of its
    /// outlets lives).
    pub fn account(self: &Arc<Self>, identity: &str) -> Arc<Account> {
        let mut accounts = self.lock();
        if let Some(account) = accounts.by_identity.get(identity).and_then(Weak::upgrade) {
            return account;
        }
        let account = Arc::new(Account {
            budget: self.clone(),
            used: AtomicUsize::new(0),
        });
        accounts
            .by_identity
            .insert(identity.to_owned(), Arc::downgrade(&account));
        account
    }

    /// Tracks `outlet`, charged to `account`, for [`OutboxBudget::relieve`].
    pub(super) fn track(&self, account: &Arc<Account>, outlet: &Arc<Outlet>) {
        let mut accounts = self.lock();
        accounts
            .outlets
            .push((Arc::downgrade(account), Arc::downgrade(outlet)));
        // Forget what is gone now and then: amortised over the tracking.
        if accounts.outlets.len().is_power_of_two() {
            accounts.forget_gone();
        }
    }

    /// Closes the greediest open outlet of `scope` (of `account` for
    /// [`Scope::Identity`]). Called without any outlet's lock held.
    pub(super) fn relieve(&self, scope: Scope, account: &Arc<Account>) {
        let victim = {
            let mut accounts = self.lock();
            accounts.forget_gone();
            accounts
                .outlets
                .iter()
                .filter(|(owner, _)| match scope {
                    Scope::Identity => Weak::ptr_eq(owner, &Arc::downgrade(account)),
                    Scope::Server => true,
                })
                .filter_map(|(_, outlet)| outlet.upgrade())
                .filter(|outlet| outlet.waiting() > 0)
                .max_by_key(|outlet| outlet.waiting())
        };
        if let Some(victim) = victim {
            METRICS.outbox_budget_closes(scope).increment();
            tracing::info!(
                scope = scope.label(),
                waiting = victim.waiting(),
                "closing the connection with the most waiting: over the outbox budget"
            );
            victim.close_dropping_queue(CloseReason::OVER_BUDGET);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Accounts> {
        self.accounts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for OutboxBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxBudget")
            .field("per_identity", &self.per_identity)
            .field("server", &self.server)
            .field("used", &self.used())
            .finish()
    }
}

impl Accounts {
    fn forget_gone(&mut self) {
        self.outlets
            .retain(|(account, outlet)| account.strong_count() > 0 && outlet.strong_count() > 0);
        self.by_identity
            .retain(|_, account| account.strong_count() > 0);
    }
}

impl Account {
    /// Records that an outlet of this account now holds `now` bytes where
    /// it held `before`. The scope whose budget is now exceeded, if any.
    pub(super) fn adjust(&self, before: usize, now: usize) -> Option<Scope> {
        let budget = &self.budget;
        if now >= before {
            let grown = now - before;
            let identity = self.used.fetch_add(grown, Ordering::Relaxed) + grown;
            let server = budget.used.fetch_add(grown, Ordering::Relaxed) + grown;
            if grown == 0 {
                None
            } else if identity > budget.per_identity {
                Some(Scope::Identity)
            } else if server > budget.server {
                Some(Scope::Server)
            } else {
                None
            }
        } else {
            let shrunk = before - now;
            self.used.fetch_sub(shrunk, Ordering::Relaxed);
            budget.used.fetch_sub(shrunk, Ordering::Relaxed);
            None
        }
    }

    pub(super) fn budget(&self) -> &OutboxBudget {
        &self.budget
    }

    /// Bytes waiting in this identity's outlets.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}
