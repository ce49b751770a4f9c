//! Writes a realistic delivery log for the benchmarks: N records in
//! sfhook's own layout, spread over the 30 days ending now, oldest first.
//!
//! ```text
//! gen_log --records 1000000 --out deliveries.jsonl [--seed N]
//! ```
//!
//! Payloads are sfhook's own samples (about 1 KB, 14 events, their default
//! and other platforms, varied devices); codes are ~85% 200, 5% 500, 3% 503,
//! 2% 404, 2% 429 and 3% no answer with an error; failures are often
//! retried (same event id, next attempt); a few records are redeliveries;
//! three profiles. Deterministic for a given seed and start time.
//!
//! Fast: sample payloads are rendered once per (day, event, device) and
//! each record is assembled from them with plain byte copies, so a million
//! records take a few seconds in release. The first records are checked
//! against sfhook's own `Record` serialisation, so the layout is exact.

// Built as an example (see Cargo.toml); as a libtest bench its `main` is
// unused.
#![cfg_attr(test, allow(dead_code))]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use jiff::{SignedDuration, Timestamp};
use sfhook::core::catalog::{EVENTS, Event};
use sfhook::core::log::{Head, Record};

const USAGE: &str = "usage: gen_log --records N --out FILE [--seed N]";
const DAY_MS: i64 = 86_400_000;
const SPAN_DAYS: i64 = 30;
/// Devices per (day, event): enough variety for realistic payloads.
const DEVICES: u32 = 4;
/// How many of the first records are checked against sfhook's serialiser.
const CHECKED: u64 = 1000;

/// Stands in for the event id in a rendered sample.
const ID_HOLE: &str = "ffffffff-ffff-4fff-bfff-ffffffffffff";

struct Args {
    records: u64,
    out: PathBuf,
    seed: u64,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut records = None;
    let mut out = None;
    let mut seed = 0x5f_4800_2026;
    let mut args = std::env::args().skip(1);
    let mut invoked_by_cargo_bench = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value; {USAGE}"));
        match arg.as_str() {
            "--records" => {
                let v = value("--records")?;
                records = Some(
                    v.parse()
                        .map_err(|_| format!("--records {v}: not a number"))?,
                );
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse().map_err(|_| format!("--seed {v}: not a number"))?;
            }
            // `cargo bench` passes this to every bench target.
            "--bench" => invoked_by_cargo_bench = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unexpected argument '{other}'; {USAGE}")),
        }
    }
    match (records, out) {
        (Some(records), Some(out)) => Ok(Some(Args { records, out, seed })),
        _ if invoked_by_cargo_bench => {
            eprintln!("gen_log: nothing to do without --records and --out ({USAGE})");
            Ok(None)
        }
        _ => Err(USAGE.to_string()),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen_log: {message}");
            return ExitCode::from(2);
        }
    };
    match generate(&args) {
        Ok(bytes) => {
            eprintln!(
                "gen_log: wrote {} records ({:.1} MB) to {}",
                args.records,
                bytes as f64 / 1e6,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("gen_log: {message}");
            ExitCode::FAILURE
        }
    }
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A version-4 UUID, lowercase.
    fn uuid(&mut self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bits = (u128::from(self.next()) << 64) | u128::from(self.next());
        // Version 4 in the 13th digit, variant 10 in the 17th.
        let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
        let mut out = [b'-'; 36];
        let mut nibble = 32;
        for (pos, slot) in out.iter_mut().enumerate() {
            if matches!(pos, 8 | 13 | 18 | 23) {
                continue;
            }
            nibble -= 1;
            *slot = HEX[((bits >> (nibble * 4)) & 0xf) as usize];
        }
        out
    }
}

/// One kind of answer, with its share of the records in percent.
struct Outcome {
    percent: u64,
    code: Option<u16>,
    /// The JSON of `error`: `null` or a string.
    error: &'static str,
    /// The JSON of `response_body`.
    body: &'static str,
}

const OUTCOMES: &[Outcome] = &[
    Outcome {
        percent: 85,
        code: Some(200),
        error: "null",
        body: r#""ok""#,
    },
    Outcome {
        percent: 5,
        code: Some(500),
        error: "null",
        body: r#""{\"error\":\"internal server error\"}""#,
    },
    Outcome {
        percent: 3,
        code: Some(503),
        error: "null",
        body: r#""Service Unavailable""#,
    },
    Outcome {
        percent: 2,
        code: Some(404),
        error: "null",
        body: r#""Not Found""#,
    },
    Outcome {
        percent: 2,
        code: Some(429),
        error: "null",
        body: r#""{\"error\":\"rate limited\",\"retry_after\":30}""#,
    },
    Outcome {
        percent: 2,
        code: None,
        error: r#""timeout: no complete answer within 10s""#,
        body: r#""""#,
    },
    Outcome {
        percent: 1,
        code: None,
        error: r#""connection refused: nothing is listening at hooks.acme.example:443""#,
        body: r#""""#,
    },
];

struct Profile {
    /// Out of 100.
    percent: u64,
    /// JSON strings.
    name: &'static str,
    url: &'static str,
}

const PROFILES: &[Profile] = &[
    Profile {
        percent: 80,
        name: r#""default""#,
        url: r#""https://hooks.acme.example/scalefusion""#,
    },
    Profile {
        percent: 15,
        name: r#""staging""#,
        url: r#""https://staging.acme.example/hooks/sf?***""#,
    },
    Profile {
        percent: 5,
        name: r#""production""#,
        url: r#""https://***@hooks.acme.eu/scalefusion""#,
    },
];

fn pick<T>(items: &'static [T], percent: impl Fn(&T) -> u64, roll: u64) -> &'static T {
    let mut acc = 0;
    for item in items {
        acc += percent(item);
        if roll < acc {
            return item;
        }
    }
    items.last().expect("a table is not empty")
}

/// A rendered sample with holes for the event id and the creation time.
struct Template {
    /// Text between the holes; one more piece than holes.
    pieces: Vec<Vec<u8>>,
    holes: Vec<Hole>,
}

#[derive(Clone, Copy)]
enum Hole {
    EventId,
    CreatedAt,
}

impl Template {
    fn render(event: &Event, device_no: u32, created_at: Timestamp) -> Template {
        let platforms: Vec<_> = event.platforms().collect();
        let platform = platforms[device_no as usize % platforms.len()];
        let value = sfhook::core::payload::sample(event, platform, ID_HOLE, created_at, device_no);
        let text = serde_json::to_string(&value).expect("a sample serialises");
        let created = created_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut pieces = Vec::new();
        let mut holes = Vec::new();
        let mut rest = text.as_str();
        loop {
            let id = rest
                .find(ID_HOLE)
                .map(|at| (at, ID_HOLE.len(), Hole::EventId));
            let ts = rest
                .find(&created)
                .map(|at| (at, created.len(), Hole::CreatedAt));
            let next = match (id, ts) {
                (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            let Some((at, len, hole)) = next else { break };
            pieces.push(rest.as_bytes()[..at].to_vec());
            holes.push(hole);
            rest = &rest[at + len..];
        }
        pieces.push(rest.as_bytes().to_vec());
        Template { pieces, holes }
    }

    fn write(&self, out: &mut Vec<u8>, event_id: &[u8; 36], created_at: &[u8; 20]) {
        for (piece, hole) in self.pieces.iter().zip(&self.holes) {
            out.extend_from_slice(piece);
            out.extend_from_slice(match hole {
                Hole::EventId => event_id,
                Hole::CreatedAt => created_at,
            });
        }
        out.extend_from_slice(self.pieces.last().expect("one piece at least"));
    }
}

/// `2026-11-29T17:21:28.123Z` and `2026-11-29T17:21:28Z` for a time in a day
/// whose `YYYY-MM-DDT` is given, without a formatter.
fn times(day: &[u8; 11], ms_of_day: i64) -> ([u8; 24], [u8; 20]) {
    let digits = |n: i64, width: usize, out: &mut [u8]| {
        let mut n = n;
        for slot in out[..width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    let mut ts = [0u8; 24];
    ts[..11].copy_from_slice(day);
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    digits(h, 2, &mut ts[11..13]);
    ts[13] = b':';
    digits(m, 2, &mut ts[14..16]);
    ts[16] = b':';
    digits(s, 2, &mut ts[17..19]);
    ts[19] = b'.';
    digits(ms, 3, &mut ts[20..23]);
    ts[23] = b'Z';
    let mut created = [0u8; 20];
    created[..19].copy_from_slice(&ts[..19]);
    created[19] = b'Z';
    (ts, created)
}

/// The previous record, for retries.
struct Last {
    event: usize,
    event_id: [u8; 36],
    attempt: u32,
    failed: bool,
    profile: &'static Profile,
}

fn generate(args: &Args) -> Result<u64, String> {
    let mut rng = Rng(args.seed);
    let now_ms = Timestamp::now().as_millisecond();
    let start_ms = now_ms - SPAN_DAYS * DAY_MS;
    let first_day = start_ms.div_euclid(DAY_MS);
    let days = (now_ms.div_euclid(DAY_MS) - first_day + 1) as usize;

    // Per day: its `YYYY-MM-DDT`, and a sample per event and device made
    // at noon that day.
    let mut day_prefixes = Vec::with_capacity(days);
    let mut templates: Vec<Template> = Vec::with_capacity(days * EVENTS.len() * DEVICES as usize);
    for d in 0..days {
        let midnight = Timestamp::from_millisecond((first_day + d as i64) * DAY_MS)
            .map_err(|e| e.to_string())?;
        let mut prefix = [0u8; 11];
        prefix.copy_from_slice(midnight.strftime("%Y-%m-%dT").to_string().as_bytes());
        day_prefixes.push(prefix);
        let noon = midnight + SignedDuration::from_hours(12);
        for event in &EVENTS {
            for device in 0..DEVICES {
                templates.push(Template::render(event, device * 37 + d as u32, noon));
            }
        }
    }
    let template = |day: usize, event: usize, device: u32| {
        &templates[(day * EVENTS.len() + event) * DEVICES as usize + device as usize]
    };

    let file = File::create(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut out = BufWriter::with_capacity(8 << 20, file);
    let mut line: Vec<u8> = Vec::with_capacity(4096);
    let mut written: u64 = 0;
    let mut last: Option<Last> = None;
    let mut recent_ids: [[u8; 36]; 8] = [[b'0'; 36]; 8];
    let span = (now_ms - start_ms) as u128;
    for i in 0..args.records {
        // Increasing times: record i falls in the i-th slice of the span.
        let slice = (u128::from(i) * u128::from(u32::MAX) + u128::from(rng.next() as u32)) * span
            / (u128::from(args.records.max(1)) * u128::from(u32::MAX));
        let at = start_ms + slice as i64;
        let day = (at.div_euclid(DAY_MS) - first_day) as usize;
        let (timestamp, created_at) = times(&day_prefixes[day], at.rem_euclid(DAY_MS));

        let retry = last
            .as_ref()
            .filter(|l| l.failed && l.attempt < 4 && rng.below(100) < 60);
        let (event, event_id, attempt, profile) = match retry {
            Some(l) => (l.event, l.event_id, l.attempt + 1, l.profile),
            None => (
                rng.below(EVENTS.len() as u64) as usize,
                rng.uuid(),
                1,
                pick(PROFILES, |p| p.percent, rng.below(100)),
            ),
        };
        let outcome = pick(OUTCOMES, |o| o.percent, rng.below(100));
        let request_id = rng.uuid();
        let redelivery_of = (retry.is_none() && i >= 8 && rng.below(100) == 0)
            .then(|| recent_ids[rng.below(8) as usize]);
        let duration_ms = match outcome.code {
            None if outcome.error.contains("timeout") => 10_000 + rng.below(5),
            None => 1 + rng.below(3),
            Some(_) => 20 + rng.below(400),
        };

        line.clear();
        line.extend_from_slice(b"{\"request_id\":\"");
        line.extend_from_slice(&request_id);
        line.extend_from_slice(b"\",\"event_id\":\"");
        line.extend_from_slice(&event_id);
        line.extend_from_slice(b"\",\"event\":\"");
        line.extend_from_slice(EVENTS[event].wire.as_bytes());
        line.extend_from_slice(b"\",\"timestamp\":\"");
        line.extend_from_slice(&timestamp);
        line.extend_from_slice(b"\",\"url\":");
        line.extend_from_slice(profile.url.as_bytes());
        line.extend_from_slice(b",\"response_code\":");
        match outcome.code {
            Some(code) => write!(line, "{code}").expect("writing to a Vec"),
            None => line.extend_from_slice(b"null"),
        }
        let success = outcome.code.is_some_and(|c| (200..300).contains(&c));
        line.extend_from_slice(if success {
            b",\"success\":true"
        } else {
            b",\"success\":false"
        });
        line.extend_from_slice(b",\"error\":");
        line.extend_from_slice(outcome.error.as_bytes());
        write!(
            line,
            ",\"duration_ms\":{duration_ms},\"attempt\":{attempt},\"redelivery_of\":"
        )
        .expect("writing to a Vec");
        match &redelivery_of {
            Some(id) => {
                line.push(b'"');
                line.extend_from_slice(id);
                line.push(b'"');
            }
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"profile\":");
        line.extend_from_slice(profile.name.as_bytes());
        line.extend_from_slice(b",\"payload\":");
        let device = rng.below(u64::from(DEVICES)) as u32;
        template(day, event, device).write(&mut line, &event_id, &created_at);
        line.extend_from_slice(b",\"response_body\":");
        line.extend_from_slice(outcome.body.as_bytes());
        line.extend_from_slice(b"}\n");

        if i < CHECKED {
            check_layout(&line)?;
        }
        out.write_all(&line)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
        written += line.len() as u64;
        recent_ids[(i % 8) as usize] = request_id;
        last = Some(Last {
            event,
            event_id,
            attempt,
            failed: !success,
            profile,
        });
    }
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    Ok(written)
}

/// The line is exactly what sfhook's own serialiser writes for the same
/// record, and its fast reader takes it.
fn check_layout(line: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(line).map_err(|e| e.to_string())?;
    let record: Record =
        serde_json::from_str(text).map_err(|e| format!("not a record ({e}): {text}"))?;
    let again = record.to_line();
    if again != line {
        return Err(format!(
            "the layout differs from sfhook's:\n  gen_log: {text}  sfhook:  {}",
            String::from_utf8_lossy(&again)
        ));
    }
    if Head::parse(&line[..line.len() - 1]).is_none() {
        return Err(format!("sfhook does not read the line: {text}"));
    }
    Ok(())
}
