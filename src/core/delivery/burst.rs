//! A burst: many mocks at once, each a distinct device, with what they
//! measured (successes, failures by cause, latency percentiles). A policy
//! around the `Sender`, like retries.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::core::payload::BodySource;

use super::outcome::{Outcome, Verdict};
use super::sender::{Delivery, Sender};

/// What a burst measured.
#[derive(Default)]
pub(crate) struct Tally {
    pub succeeded: u64,
    /// Failures by response code or by cause (`timeout`, `refused`, ...).
    pub failed: BTreeMap<String, u64>,
    /// Of the failures, those that got no answer at all.
    pub no_answer: u64,
    latencies_us: Vec<u64>,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.latencies_us.push(outcome.duration.as_micros() as u64);
        let key = match outcome.verdict() {
            Verdict::Delivered => {
                self.succeeded += 1;
                return;
            }
            Verdict::Refused(status) => status.to_string(),
            Verdict::Unanswered(no_answer) => {
                self.no_answer += 1;
                no_answer.kind().to_string()
            }
        };
        *self.failed.entry(key).or_default() += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.succeeded += other.succeeded;
        self.no_answer += other.no_answer;
        for (key, n) in other.failed {
            *self.failed.entry(key).or_default() += n;
        }
        self.latencies_us.extend(other.latencies_us);
    }
}

/// A finished burst.
pub(crate) struct BurstReport {
    pub tally: Tally,
    pub sent: u64,
    pub concurrency: u32,
    pub elapsed: Duration,
    /// p50, p95, p99 and the slowest request.
    pub latency: Latency,
}

pub(crate) struct Latency {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl BurstReport {
    pub(crate) fn failed(&self) -> u64 {
        self.tally.failed.values().sum()
    }

    pub(crate) fn requests_per_second(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Fires `count` mocks of `source`'s event, `concurrency` at a time, each
/// with its own device; `done` hears of each one that finished.
pub(crate) async fn burst(
    sender: Sender,
    source: BodySource,
    count: u32,
    concurrency: u32,
    done: impl Fn() + Send + Sync + 'static,
) -> Result<BurstReport> {
    let concurrency = concurrency.min(count);
    let shared = Arc::new((sender, source, AtomicU32::new(0), done));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency as usize);
    for _ in 0..concurrency {
        let shared = Arc::clone(&shared);
        workers.push(tokio::spawn(async move {
            let (sender, source, next, done) = &*shared;
            let mut tally = Tally::default();
            let mut bodies = source.builder()?;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let body = bodies.build(n)?;
                let attempted = sender
                    .attempt(&Delivery {
                        body: body.bytes,
                        event: source.event.wire,
                        event_id: &body.event_id,
                        attempt: 1,
                        redelivery_of: None,
                    })
                    .await?;
                tally.add(&attempted.outcome);
                done();
            }
            anyhow::Ok(tally)
        }));
    }
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await??);
    }
    let elapsed = started.elapsed();
    tally.latencies_us.sort_unstable();
    let sorted = &tally.latencies_us;
    let latency = Latency {
        p50: percentile(sorted, 50.0),
        p95: percentile(sorted, 95.0),
        p99: percentile(sorted, 99.0),
        max: percentile(sorted, 100.0),
    };
    Ok(BurstReport {
        sent: sorted.len() as u64,
        tally,
        concurrency,
        elapsed,
        latency,
    })
}

fn percentile(sorted: &[u64], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Duration::from_micros(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_micros(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_micros(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_micros(100));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
