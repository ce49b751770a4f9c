//! A burst: many mocks, each a distinct device, and what they measured. A
//! policy around the `Sender`, like retries. Closed (a fixed number of
//! workers, each sending as soon as its last answer came) or open (`rate`:
//! arrivals paced in time whatever the answers, with latency measured from
//! the intended send time, so a slow receiver cannot hide its queue).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::core::expect::Expectation;
use crate::core::payload::BodySource;

use super::extra::Tamper;
use super::outcome::{Outcome, Verdict};
use super::sender::{Delivery, Sender};

/// How much to send, how fast.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Stop after this many requests...
    pub count: Option<u64>,
    /// ...or after this long (whichever comes first).
    pub duration: Option<Duration>,
    /// Requests in flight at once.
    pub concurrency: u32,
    /// Requests per second, for an open model.
    pub rate: Option<f64>,
}

/// One request of a burst, as `--requests` records it.
pub(crate) struct Sent<'a> {
    /// From 1, in the order the requests were sent.
    pub number: u64,
    pub request_id: String,
    pub event_id: &'a str,
    pub outcome: &'a Outcome,
    /// From the intended send time (open model) or the actual one.
    pub latency: Duration,
    pub met: bool,
}

/// What a burst measured.
#[derive(Default)]
pub(crate) struct Tally {
    pub sent: u64,
    /// Answers that met the expectation.
    pub met: u64,
    /// Of those that did not, the ones that got no answer at all.
    pub unmet_no_answer: u64,
    /// 2xx answers.
    pub succeeded: u64,
    /// Answers other than 2xx, by status, and no answers by cause
    /// (`timeout`, `refused`, ...).
    pub failed: BTreeMap<String, u64>,
    /// Arrivals of a paced burst never sent: no slot was free before the
    /// deadline, or too many were waiting already.
    pub dropped: u64,
    /// Latencies of the 2xx answers: percentiles are over those.
    latencies_us: Vec<u64>,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome, latency: Duration, met: bool) {
        self.sent += 1;
        if met {
            self.met += 1;
        } else if outcome.code().is_none() {
            self.unmet_no_answer += 1;
        }
        let key = match outcome.verdict() {
            Verdict::Delivered => {
                self.succeeded += 1;
                self.latencies_us.push(latency.as_micros() as u64);
                return;
            }
            Verdict::Refused(status) => status.to_string(),
            Verdict::Unanswered(no_answer) => no_answer.kind().to_string(),
        };
        *self.failed.entry(key).or_default() += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.sent += other.sent;
        self.met += other.met;
        self.unmet_no_answer += other.unmet_no_answer;
        self.succeeded += other.succeeded;
        self.dropped += other.dropped;
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
    /// Over the 2xx answers.
    pub latency: Latency,
}

pub(crate) struct Latency {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl BurstReport {
    /// Whether any 2xx answer was timed: without one, the latencies are
    /// zeros, not a measure.
    pub(crate) fn measured(&self) -> bool {
        !self.tally.latencies_us.is_empty()
    }

    /// Answers other than 2xx, and no answers.
    pub(crate) fn failed(&self) -> u64 {
        self.tally.failed.values().sum()
    }

    /// Requests that missed the expectation, and arrivals never sent.
    pub(crate) fn unmet(&self) -> u64 {
        self.sent - self.tally.met + self.tally.dropped
    }

    /// Whether nothing at all answered: no request got an answer.
    pub(crate) fn nothing_answered(&self) -> bool {
        self.tally.unmet_no_answer == self.sent && self.tally.met == 0
    }

    pub(crate) fn requests_per_second(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The share of requests that met the expectation, in percent.
    pub(crate) fn success_percent(&self) -> f64 {
        let tried = self.sent + self.tally.dropped;
        if tried == 0 {
            return 0.0;
        }
        self.tally.met as f64 * 100.0 / tried as f64
    }
}

/// Limits a burst must keep to, beyond each request's expectation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Gates {
    pub max_p50: Option<Duration>,
    pub max_p95: Option<Duration>,
    pub max_p99: Option<Duration>,
    /// Percent of requests that must meet the expectation.
    pub min_success: Option<f64>,
}

/// One gate, judged.
pub(crate) struct GateResult {
    /// `max-p99`, `min-success`.
    pub gate: &'static str,
    /// The limit and what the burst did, for people: `250 ms`, `99%`.
    pub limit: String,
    pub actual: String,
    pub passed: bool,
}

impl Gates {
    /// Each gate that was set, judged against the burst.
    pub(crate) fn judge(&self, report: &BurstReport) -> Vec<GateResult> {
        let mut results = Vec::new();
        let latency = &report.latency;
        for (gate, limit, actual) in [
            ("max-p50", self.max_p50, latency.p50),
            ("max-p95", self.max_p95, latency.p95),
            ("max-p99", self.max_p99, latency.p99),
        ] {
            if let Some(limit) = limit {
                // No 2xx answer has no latency to speak of: the gate fails.
                let passed = report.tally.succeeded > 0 && actual <= limit;
                results.push(GateResult {
                    gate,
                    limit: crate::core::units::human_ms(limit),
                    actual: if report.tally.succeeded > 0 {
                        crate::core::units::human_ms(actual)
                    } else {
                        "no 2xx answer".to_string()
                    },
                    passed,
                });
            }
        }
        if let Some(min) = self.min_success {
            let actual = report.success_percent();
            results.push(GateResult {
                gate: "min-success",
                limit: format!("{min}%"),
                actual: format!("{}%", (actual * 100.0).round() / 100.0),
                passed: actual >= min,
            });
        }
        results
    }
}

/// Arrivals of an open-model burst that may wait for a free slot at once.
const MAX_WAITING: u64 = 10_000;

/// What every request of a burst shares.
struct Shared<F> {
    sender: Sender,
    source: BodySource,
    expectation: Expectation,
    tamper: Option<Tamper>,
    each: F,
}

impl<F: Fn(&Sent<'_>) + Send + Sync> Shared<F> {
    /// Sends request number `n` and notes what came of it.
    async fn one(
        &self,
        bodies: &mut crate::core::payload::BodyBuilder<'_>,
        n: u64,
        since: Instant,
        tally: &mut Tally,
    ) -> Result<()> {
        let device_no = u32::try_from(n).unwrap_or(u32::MAX);
        let body = bodies.build(device_no)?;
        let attempted = self
            .sender
            .attempt(&Delivery {
                body: body.bytes,
                event: self.source.event.wire,
                event_id: &body.event_id,
                attempt: 1,
                redelivery_of: None,
                tamper: self.tamper,
                headers: &[],
            })
            .await?;
        let latency = since.elapsed();
        let met = self.expectation.met(&attempted.outcome);
        tally.add(&attempted.outcome, latency, met);
        (self.each)(&Sent {
            number: n + 1,
            request_id: attempted.outcome.request_id.to_string(),
            event_id: &body.event_id,
            outcome: &attempted.outcome,
            latency,
            met,
        });
        Ok(())
    }
}

/// Fires mocks of `source`'s event as `plan` says, each with its own
/// device; `each` hears of every request as it finishes.
pub(crate) async fn burst(
    sender: Sender,
    source: BodySource,
    plan: Plan,
    expectation: Expectation,
    tamper: Option<Tamper>,
    each: impl Fn(&Sent<'_>) + Send + Sync + 'static,
) -> Result<BurstReport> {
    let shared = Arc::new(Shared {
        sender,
        source,
        expectation,
        tamper,
        each,
    });
    let started = Instant::now();
    let deadline = plan.duration.map(|d| started + d);
    let (tally, concurrency) = match plan.rate {
        Some(rate) => (
            open(&shared, plan, rate, started, deadline).await?,
            plan.concurrency,
        ),
        None => closed(&shared, plan, deadline).await?,
    };
    let elapsed = started.elapsed();
    Ok(report(tally, concurrency, elapsed))
}

/// A fixed number of workers, each sending as soon as its last answer came.
async fn closed<F: Fn(&Sent<'_>) + Send + Sync + 'static>(
    shared: &Arc<Shared<F>>,
    plan: Plan,
    deadline: Option<Instant>,
) -> Result<(Tally, u32)> {
    let count = plan.count.unwrap_or(u64::MAX);
    let concurrency = u64::from(plan.concurrency).min(count) as u32;
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(concurrency as usize);
    for _ in 0..concurrency {
        let shared = Arc::clone(shared);
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut bodies = shared.source.builder()?;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                shared
                    .one(&mut bodies, n, Instant::now(), &mut tally)
                    .await?;
            }
            anyhow::Ok(tally)
        }));
    }
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await??);
    }
    Ok((tally, concurrency))
}

/// Arrivals at `rate` per second, whatever the answers: request `n` is due
/// at `n / rate` seconds, and its latency counts from then. At most
/// `concurrency` are in flight; the rest wait their turn, and the wait
/// counts as latency. An arrival still waiting at the deadline, or one that
/// finds `MAX_WAITING` others waiting, is dropped and counted as such (as
/// k6 counts dropped iterations): a receiver that cannot keep up must not
/// make the burst outlast its duration or its memory grow without bound.
async fn open<F: Fn(&Sent<'_>) + Send + Sync + 'static>(
    shared: &Arc<Shared<F>>,
    plan: Plan,
    rate: f64,
    started: Instant,
    deadline: Option<Instant>,
) -> Result<Tally> {
    let slots = Arc::new(Semaphore::new(plan.concurrency as usize));
    let waiting = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let mut finished = Tally::default();
    let mut n: u64 = 0;
    loop {
        if plan.count.is_some_and(|count| n >= count) {
            break;
        }
        let due = started + Duration::from_secs_f64(n as f64 / rate);
        if deadline.is_some_and(|d| due >= d) {
            break;
        }
        tokio::time::sleep_until(due).await;
        n += 1;
        if waiting.load(Ordering::Relaxed) >= MAX_WAITING {
            dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        waiting.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::clone(shared);
        let slots = Arc::clone(&slots);
        let (waiting, dropped) = (Arc::clone(&waiting), Arc::clone(&dropped));
        tasks.spawn(async move {
            let slot = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, slots.acquire_owned())
                    .await
                    .ok(),
                None => Some(slots.acquire_owned().await),
            };
            waiting.fetch_sub(1, Ordering::Relaxed);
            let mut tally = Tally::default();
            let Some(slot) = slot else {
                dropped.fetch_add(1, Ordering::Relaxed);
                return anyhow::Ok(tally);
            };
            let _slot = slot?;
            let mut bodies = shared.source.builder()?;
            shared.one(&mut bodies, n - 1, due, &mut tally).await?;
            anyhow::Ok(tally)
        });
        // Finished tasks are reaped as the burst goes, not all at its end.
        while let Some(done) = tasks.try_join_next() {
            finished.merge(done??);
        }
    }
    while let Some(done) = tasks.join_next().await {
        finished.merge(done??);
    }
    finished.dropped = dropped.load(Ordering::Relaxed);
    Ok(finished)
}

fn report(mut tally: Tally, concurrency: u32, elapsed: Duration) -> BurstReport {
    tally.latencies_us.sort_unstable();
    let sorted = &tally.latencies_us;
    let latency = Latency {
        p50: percentile(sorted, 50.0),
        p95: percentile(sorted, 95.0),
        p99: percentile(sorted, 99.0),
        max: percentile(sorted, 100.0),
    };
    BurstReport {
        sent: tally.sent,
        tally,
        concurrency,
        elapsed,
        latency,
    }
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
