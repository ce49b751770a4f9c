//! Which deliveries a command looks at: the log filters (`--since`,
//! `--until`, `--code`, `--request-id`, `--event`, `--failed`,
//! `--succeeded`), parsed once and applied to each record's head. Pure.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp};

use crate::core::catalog;
use crate::core::log::{self, Head, Needle};
use crate::core::units::format_timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeMatch {
    Exact(u16),
    /// `5xx`: the hundreds digit.
    Class(u16),
    /// No answer came: `response_code` is null.
    NoAnswer,
}

impl CodeMatch {
    pub fn parse(text: &str) -> Result<CodeMatch, String> {
        let t = text.trim().to_ascii_lowercase();
        let invalid = || {
            format!(
                "invalid response code '{}': use 500, 5xx, or none (no answer)",
                text.trim()
            )
        };
        if matches!(t.as_str(), "none" | "null" | "-") {
            return Ok(CodeMatch::NoAnswer);
        }
        if let Some(class) = t.strip_suffix("xx") {
            return match class.parse::<u16>() {
                Ok(c @ 1..=5) => Ok(CodeMatch::Class(c)),
                _ => Err(invalid()),
            };
        }
        match t.parse::<u16>() {
            Ok(code @ 100..=599) => Ok(CodeMatch::Exact(code)),
            _ => Err(invalid()),
        }
    }

    fn matches(self, code: Option<u16>) -> bool {
        match (self, code) {
            (CodeMatch::Exact(want), Some(code)) => code == want,
            (CodeMatch::Class(class), Some(code)) => code / 100 == class,
            (CodeMatch::NoAnswer, None) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `--since`: a date means its first moment.
    Start,
    /// `--until`: a date means its last moment, so the whole day is included.
    End,
}

/// Parses WHEN: RFC 3339, a date or date-time (UTC), `today`, `yesterday`
/// or `now`, or an age before `now`.
pub fn parse_when(text: &str, bound: Bound, now: Timestamp) -> Result<Timestamp, String> {
    let t = text.trim();
    let invalid = || {
        format!(
            "invalid time '{t}': use RFC 3339 (2026-11-29T17:00:00Z), a date (2026-11-29), today, yesterday or an age (30m, 2h, 7d)"
        )
    };
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    // Days are UTC days, as the log's timestamps and plain dates are.
    let today = TimeZone::UTC.to_datetime(now).date();
    let named = match t.to_ascii_lowercase().as_str() {
        "now" => return Ok(now),
        "today" => Some(today),
        "yesterday" => Some(today.yesterday().map_err(|_| invalid())?),
        _ => None,
    };
    // jiff reads a date out of a date-time too; a date alone means a whole day.
    let has_time = t.contains(['T', 't', ' ']);
    let date = named.or_else(|| t.parse::<Date>().ok().filter(|_| !has_time));
    if let Some(date) = date {
        let start = TimeZone::UTC
            .to_timestamp(date.at(0, 0, 0, 0))
            .map_err(|_| invalid())?;
        return Ok(match bound {
            Bound::Start => start,
            Bound::End => {
                let next = date.tomorrow().map_err(|_| invalid())?;
                TimeZone::UTC
                    .to_timestamp(next.at(0, 0, 0, 0))
                    .map_err(|_| invalid())?
                    - SignedDuration::from_millis(1)
            }
        });
    }
    if let Ok(datetime) = t.parse::<DateTime>() {
        return TimeZone::UTC.to_timestamp(datetime).map_err(|_| invalid());
    }
    let span: Span = t.parse().map_err(|_| invalid())?;
    let age = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| invalid())?;
    if age.is_negative() {
        return Err(invalid());
    }
    now.checked_sub(age)
        .map_err(|_| format!("invalid time '{t}': that is before the year -9999"))
}

/// What the user asked of the log, as typed: times, codes and event names
/// are checked when a `Filter` is made of it.
#[derive(Clone, Debug, Default)]
pub struct FilterSpec {
    pub since: Option<String>,
    pub until: Option<String>,
    pub code: Vec<String>,
    pub request_id: Option<String>,
    pub event: Vec<String>,
    pub failed: bool,
    pub succeeded: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Inclusive bounds, formatted like the log's timestamps so that they
    /// compare as strings.
    since: Option<String>,
    until: Option<String>,
    codes: Vec<CodeMatch>,
    request_id: Option<String>,
    events: Vec<&'static str>,
    success: Option<bool>,
    profile: Option<String>,
}

impl Filter {
    /// `profile` restricts to one profile's deliveries (when the user named one).
    pub fn new(args: &FilterSpec, profile: Option<&str>, now: Timestamp) -> Result<Filter, String> {
        let since = args
            .since
            .as_deref()
            .map(|t| parse_when(t, Bound::Start, now))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| parse_when(t, Bound::End, now))
            .transpose()?;
        if let (Some(since), Some(until)) = (since, until)
            && since > until
        {
            return Err(format!(
                "--since {} is after --until {}: no delivery can match",
                args.since.as_deref().unwrap_or_default(),
                args.until.as_deref().unwrap_or_default()
            ));
        }
        let codes = args
            .code
            .iter()
            .map(|c| CodeMatch::parse(c))
            .collect::<Result<_, _>>()?;
        let events = args
            .event
            .iter()
            .map(|name| catalog::resolve(name).map(|e| e.wire))
            .collect::<Result<_, _>>()?;
        let request_id = args
            .request_id
            .as_deref()
            .map(str::trim)
            .map(str::to_ascii_lowercase);
        if request_id.as_deref() == Some("") {
            return Err("--request-id is empty".to_string());
        }
        Ok(Filter {
            // Sub-millisecond bounds round inwards, to the log's precision.
            since: since.map(|ts| format_timestamp(ceil_to_millis(ts))),
            until: until.map(format_timestamp),
            codes,
            request_id,
            events,
            success: match (args.failed, args.succeeded) {
                (true, _) => Some(false),
                (_, true) => Some(true),
                _ => None,
            },
            profile: profile.map(str::to_string),
        })
    }

    /// Only deliveries before `ts` (for prune).
    pub fn before(ts: Timestamp) -> Filter {
        let until = ceil_to_millis(ts) - SignedDuration::from_millis(1);
        Filter {
            until: Some(format_timestamp(until)),
            ..Filter::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.codes.is_empty()
            && self.request_id.is_none()
            && self.events.is_empty()
            && self.success.is_none()
            && self.profile.is_none()
    }

    pub fn request_id_prefix(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// `--since`, in the log's fixed-width form (`2026-11-29T17:00:00.000Z`).
    pub fn since_bound(&self) -> Option<&str> {
        self.since.as_deref()
    }

    pub fn matches(&self, head: &Head<'_>) -> bool {
        if self.success.is_some_and(|success| head.success != success) {
            return false;
        }
        if !self.codes.is_empty() && !self.codes.iter().any(|c| c.matches(head.response_code)) {
            return false;
        }
        if !self.events.is_empty() && !self.events.contains(&head.event.as_ref()) {
            return false;
        }
        if self
            .request_id
            .as_deref()
            .is_some_and(|prefix| !head.request_id.starts_with(prefix))
        {
            return false;
        }
        if self
            .profile
            .as_deref()
            .is_some_and(|profile| head.profile != profile)
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(ts) = head.comparable_timestamp() else {
                return false;
            };
            if self
                .since
                .as_deref()
                .is_some_and(|since| ts.as_ref() < since)
            {
                return false;
            }
            if self
                .until
                .as_deref()
                .is_some_and(|until| ts.as_ref() > until)
            {
                return false;
            }
        }
        true
    }

    /// A test that every line this filter matches passes, to skip most
    /// others unparsed (see `Needle`), when the filter implies one. The
    /// field likeliest to be selective wins.
    pub fn needle(&self) -> Option<Needle> {
        let string = |s: &str| serde_json::to_vec(s).expect("a string serialises");
        if let Some(prefix) = &self.request_id {
            return Some(log::request_id_needle(std::slice::from_ref(prefix)));
        }
        if !self.codes.is_empty() {
            let values = self
                .codes
                .iter()
                .map(|code| match code {
                    CodeMatch::Exact(c) => c.to_string().into_bytes(),
                    CodeMatch::Class(c) => c.to_string().into_bytes(),
                    CodeMatch::NoAnswer => b"null".to_vec(),
                })
                .collect();
            return Some(Needle::new("response_code", values));
        }
        if !self.events.is_empty() {
            let values = self.events.iter().map(|e| string(e)).collect();
            return Some(Needle::new("event", values));
        }
        if let Some(profile) = &self.profile {
            return Some(Needle::new("profile", vec![string(profile)]));
        }
        if let Some(success) = self.success {
            return Some(Needle::new(
                "success",
                vec![success.to_string().into_bytes()],
            ));
        }
        None
    }
}

fn ceil_to_millis(ts: Timestamp) -> Timestamp {
    let millis = ts.as_millisecond();
    let floor = Timestamp::from_millisecond(millis).unwrap_or(ts);
    if floor < ts {
        Timestamp::from_millisecond(millis + 1).unwrap_or(ts)
    } else {
        floor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-29T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn when_accepts_timestamps_dates_and_ages() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            parse_when("2026-11-01T10:00:00+02:00", Bound::Start, now()).unwrap(),
            ts("2026-11-01T08:00:00Z")
        );
        assert_eq!(
            parse_when("2026-11-01", Bound::Start, now()).unwrap(),
            ts("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            parse_when("2026-11-01", Bound::End, now()).unwrap(),
            ts("2026-11-01T23:59:59.999Z")
        );
        assert_eq!(
            parse_when("2026-11-01T10:30", Bound::Start, now()).unwrap(),
            ts("2026-11-01T10:30:00Z")
        );
        assert_eq!(
            parse_when("2h", Bound::Start, now()).unwrap(),
            ts("2026-11-29T10:00:00Z")
        );
        assert_eq!(
            parse_when("7d", Bound::Start, now()).unwrap(),
            ts("2026-11-22T12:00:00Z")
        );
        assert_eq!(
            parse_when("30m", Bound::Start, now()).unwrap(),
            ts("2026-11-29T11:30:00Z")
        );
        assert_eq!(
            parse_when("Yesterday", Bound::Start, now()).unwrap(),
            ts("2026-11-28T00:00:00Z")
        );
        assert_eq!(
            parse_when("yesterday", Bound::End, now()).unwrap(),
            ts("2026-11-28T23:59:59.999Z")
        );
        assert_eq!(
            parse_when("today", Bound::Start, now()).unwrap(),
            ts("2026-11-29T00:00:00Z")
        );
        assert_eq!(parse_when(" now ", Bound::End, now()).unwrap(), now());
        for bad in [
            "",
            "tomorrow",
            "2026-02-30",
            "2026-13-01",
            "-2h",
            "12",
            "2026-11-01T25:00:00Z",
        ] {
            assert!(parse_when(bad, Bound::Start, now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_parse() {
        assert_eq!(CodeMatch::parse("500").unwrap(), CodeMatch::Exact(500));
        assert_eq!(CodeMatch::parse("5XX").unwrap(), CodeMatch::Class(5));
        assert_eq!(CodeMatch::parse("none").unwrap(), CodeMatch::NoAnswer);
        for bad in ["", "5", "600", "6xx", "abc", "50x"] {
            assert!(CodeMatch::parse(bad).is_err(), "{bad}");
        }
        assert!(CodeMatch::Class(5).matches(Some(503)));
        assert!(!CodeMatch::Class(5).matches(None));
        assert!(CodeMatch::NoAnswer.matches(None));
    }

    #[test]
    fn since_after_until_is_refused() {
        let args = FilterSpec {
            since: Some("2026-11-02".into()),
            until: Some("2026-11-01".into()),
            ..FilterSpec::default()
        };
        assert!(Filter::new(&args, None, now()).is_err());
    }
}
