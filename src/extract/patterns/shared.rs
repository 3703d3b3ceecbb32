//! Lazy DFA states shared between threads. A finder's lazy DFAs build
//! their states as the text asks for them, into a cache each thread keeps
//! for itself: on many threads every one of them built the same states
//! again (about 0.15 s of CPU per thread for the rules as they are). The
//! most built cache is kept here as the one to copy: a thread that finds
//! it well ahead of its own takes a copy of it, and a thread well ahead of
//! it leaves a copy of its own. States are pure functions of the rules, so
//! which thread built them never changes a match.

use super::finder::{Cache, Finder};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The most built cache of one finder seen so far, for threads to copy.
#[derive(Debug, Default)]
pub(super) struct SharedStates {
    /// The cache.
    best: Mutex<Option<Cache>>,
    /// Its memory use when it was left here (0 while there is none),
    /// written under the lock and read without it.
    size: AtomicUsize,
}

impl SharedStates {
    /// A cache for a thread's first search with `finder`: a copy of the
    /// most built one when there is one.
    pub(super) fn new_cache(&self, finder: &Finder) -> Cache {
        if self.size.load(Ordering::Relaxed) > 0 {
            if let Some(cache) = &*self.lock() {
                return cache.clone();
            }
        }
        finder.create_cache()
    }

    /// Before a search: replaces `cache` with a copy of the shared one when
    /// that holds well more states.
    pub(super) fn catch_up(&self, cache: &mut Cache) {
        let own = cache.memory_usage();
        if well_ahead(self.size.load(Ordering::Relaxed), own) {
            // The shared cache only ever grows, so it is still well ahead.
            if let Some(best) = &*self.lock() {
                cache.clone_from(best);
            }
        }
    }

    /// After a search: leaves a copy of `cache` for the others when it
    /// holds well more states than the shared one.
    pub(super) fn offer(&self, cache: &Cache) {
        let own = cache.memory_usage();
        if well_ahead(own, self.size.load(Ordering::Relaxed)) {
            let mut best = self.lock();
            if well_ahead(own, self.size.load(Ordering::Relaxed)) {
                *best = Some(cache.clone());
                self.size.store(own, Ordering::Relaxed);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cache>> {
        // A thread that panicked while copying left a whole cache or none.
        self.best
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether a cache of `a` bytes holds well more states than one of `b`:
/// a thirty-second more and at least 16 KiB. A copy costs a copy of the
/// whole cache, but far less than building the states in it (about 18,500
/// instructions a state), and threads that start together build the same
/// first states side by side until one is this far ahead.
fn well_ahead(a: usize, b: usize) -> bool {
    a >= b + (b / 32).max(16 << 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::patterns::finder::Reverse;

    #[test]
    fn well_ahead_needs_a_thirty_second_more_and_at_least_16_kib() {
        assert!(well_ahead(16_384, 0));
        assert!(!well_ahead(16_383, 0));
        assert!(well_ahead(100_000 + 16_384, 100_000));
        assert!(!well_ahead(100_000 + 16_383, 100_000));
        let mib = 1 << 20;
        assert!(well_ahead(mib + mib / 32, mib));
        assert!(!well_ahead(mib + mib / 32 - 1, mib));
    }

    /// A cache of `finder` that has built the states for searching `text`.
    fn built(finder: &Finder, text: &str) -> Cache {
        let mut cache = finder.create_cache();
        let _ = finder.find(&mut cache, text, 0);
        cache
    }

    fn finder() -> Finder {
        let rule = r"(?-u)\b(?:\w+ ){3}(?:percent|million|people)\b|1[01]{12}2";
        let rules = [regex_automata::util::syntax::parse(rule).unwrap()];
        Finder::build(rules.into(), Reverse::Now).unwrap()
    }

    fn long_text() -> String {
        // Pseudo-random 0s and 1s: the finder's DFA has a state for every
        // last 13 digits seen, built only when the text reaches it.
        let mut x = 1u32;
        (0..100_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                if x >> 16 & 1 == 1 {
                    '1'
                } else {
                    '0'
                }
            })
            .collect()
    }

    #[test]
    fn a_well_built_cache_is_left_and_copied() {
        let finder = finder();
        let shared = SharedStates::default();
        let rich = built(&finder, &long_text());
        let fresh = finder.create_cache().memory_usage();
        assert!(well_ahead(rich.memory_usage(), fresh));

        shared.offer(&rich);
        assert_eq!(shared.size.load(Ordering::Relaxed), rich.memory_usage());
        // A copy's buffers may be sized a little differently, not its states.
        let copy = shared.new_cache(&finder);
        assert!(well_ahead(copy.memory_usage(), fresh));
        assert!(!well_ahead(rich.memory_usage(), copy.memory_usage()));

        let mut behind = finder.create_cache();
        shared.catch_up(&mut behind);
        assert!(well_ahead(behind.memory_usage(), fresh));
        assert!(!well_ahead(rich.memory_usage(), behind.memory_usage()));
    }

    #[test]
    fn a_cache_not_well_ahead_is_neither_left_nor_taken() {
        let finder = finder();
        let shared = SharedStates::default();
        let fresh = finder.create_cache();
        shared.offer(&fresh);
        assert_eq!(shared.size.load(Ordering::Relaxed), 0);
        assert!(shared.lock().is_none());

        let rich = built(&finder, &long_text());
        shared.offer(&rich);
        let mut own = built(&finder, &long_text());
        let before = own.memory_usage();
        shared.catch_up(&mut own);
        assert_eq!(own.memory_usage(), before);
        let copies = shared.size.load(Ordering::Relaxed);
        shared.offer(&own);
        assert_eq!(shared.size.load(Ordering::Relaxed), copies);
    }

    #[test]
    fn copied_states_find_the_same_matches() {
        let finder = finder();
        let shared = SharedStates::default();
        shared.offer(&built(&finder, &long_text()));
        let text = "of them were 41 percent and 9 million";
        let mut copied = shared.new_cache(&finder);
        let found = finder.find(&mut copied, text, 0).map(|m| m.start..m.end);
        assert_eq!(found, Some(3..23));
    }
}
