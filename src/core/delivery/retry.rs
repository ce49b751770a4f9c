//! The retry policy around single attempts: which outcomes are worth
//! another try, and how long to wait before it.

use std::time::Duration;

use anyhow::Result;

use super::outcome::{Outcome, Verdict};
use super::sender::{Attempted, Delivery, Sender};

/// Retry-After is honoured up to this long; a longer one is cut to it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const MAX_BACKOFF_DELAY: Duration = Duration::from_secs(300);

/// certificate problem, a redirect, a 410, or a 4xx other than 408 and 429.
pub fn should_retry(outcome: &Outcome) -> bool {
    if outcome.success() || outcome.is_permanent() {
        return false;
    }
    match outcome.verdict() {
        Verdict::Delivered => false,
        Verdict::Refused(408 | 429) => true,
        Verdict::Refused(300..=499) => false,
        Verdict::Refused(_) | Verdict::Unanswered(_) => true,
    }
}

/// The wait before retry number `retry` (1 for the first): Retry-After if
/// the endpoint gave one (at most 60 s), else `base` doubled per retry,
/// times a jitter factor in [0.5, 1.5) from `jitter` in [0, 1).
pub fn backoff_delay(
    retry: u32,
    base: Duration,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(MAX_RETRY_AFTER);
    }
    let doubled = base.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    doubled
        .mul_f64(0.5 + jitter.clamp(0.0, 1.0))
        .min(MAX_BACKOFF_DELAY)
}

/// A uniform number in [0, 1), for jitter: it needs spread, not secrecy.
pub fn random_unit() -> f64 {
    fastrand::f64()
}

/// How hard to try: retries after the first attempt, and the first wait.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    pub retries: u32,
    pub backoff: Duration,
}

/// One attempt as the policy saw it: which of how many, and the wait
/// before the next one if there is to be one.
pub(crate) struct Try<'a> {
    pub attempted: &'a Attempted,
    pub number: u32,
    pub of: u32,
    pub next_in: Option<Duration>,
}

/// What came of a delivery and its retries.
pub(crate) struct Retried {
    /// The last attempt's outcome.
    pub outcome: Outcome,
    /// The first error `after` returned (a report that could not be
    /// written): it did not stop the attempts.
    pub report_error: Option<anyhow::Error>,
}

/// Attempts a delivery until it succeeds, fails for good, or the retries
/// run out; `after` sees every attempt before the wait that follows it.
/// An error from `after` never cuts the attempts short: a full disk under
/// stdout must not leave a delivery half-retried and its log short.
pub(crate) async fn deliver_with_retries(
    sender: &Sender,
    delivery: Delivery<'_>,
    policy: RetryPolicy,
    mut after: impl FnMut(&Try<'_>) -> Result<()>,
) -> Result<Retried> {
    let attempts = 1 + policy.retries;
    let mut delivery = delivery;
    let mut report_error = None;
    loop {
        let attempted = sender.attempt(&delivery).await?;
        let number = delivery.attempt;
        let outcome = &attempted.outcome;
        let next_in = (number < attempts && should_retry(outcome)).then(|| {
            let retry_after = outcome.result.as_ref().ok().and_then(|a| a.retry_after);
            backoff_delay(number, policy.backoff, retry_after, random_unit())
        });
        let reported = after(&Try {
            attempted: &attempted,
            number,
            of: attempts,
            next_in,
        });
        if report_error.is_none() {
            report_error = reported.err();
        }
        let Some(wait) = next_in else {
            return Ok(Retried {
                outcome: attempted.outcome,
                report_error,
            });
        };
        tokio::time::sleep(wait).await;
        delivery.attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::delivery::outcome::NoAnswer;
    use crate::core::delivery::outcome::tests::answered;

    #[test]
    fn retry_rules() {
        for (status, retry) in [
            (200, false),
            (301, false),
            (400, false),
            (404, false),
            (408, true),
            (410, false),
            (429, true),
            (500, true),
            (503, true),
        ] {
            assert_eq!(should_retry(&answered(status)), retry, "{status}");
        }
        let mut refused = answered(0);
        refused.result = Err(NoAnswer::Refused {
            address: "x:1".into(),
        });
        assert!(should_retry(&refused));
        refused.result = Err(NoAnswer::Tls("expired".into()));
        assert!(!should_retry(&refused));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        let base = Duration::from_secs(1);
        assert_eq!(backoff_delay(1, base, None, 0.5), Duration::from_secs(1));
        assert_eq!(backoff_delay(2, base, None, 0.5), Duration::from_secs(2));
        assert_eq!(backoff_delay(3, base, None, 0.0), Duration::from_secs(2));
        assert!(backoff_delay(3, base, None, 0.999) < Duration::from_secs(6));
        assert_eq!(
            backoff_delay(1, base, Some(Duration::from_secs(7)), 0.9),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff_delay(1, base, Some(Duration::from_secs(3600)), 0.9),
            MAX_RETRY_AFTER
        );
        assert_eq!(backoff_delay(40, base, None, 0.9), MAX_BACKOFF_DELAY);
        let r = random_unit();
        assert!((0.0..1.0).contains(&r));
    }
}
