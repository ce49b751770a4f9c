//! The body of a delivery as the user asked for it: the event's sample on
//! a platform, or the user's own document, plus `--set`/`--unset` edits.
//! Checked once, before anything is sent; then bodies are made per request.
//!
//! A seed makes samples reproducible: the event id and the device of
//! request `n` come from the seed and `n` alone, so a burst is the same
//! whichever worker sends which request; a fixed time does the same for
//! the timestamps.

use anyhow::Result;
use bytes::Bytes;
use jiff::Timestamp;
use serde_json::Value;

use crate::core::catalog::{EVENTS, Event, Platform};
use crate::core::error::{Failure, Kind, usage};
use crate::core::ids;

use super::edit::{self, Assignment, Removal};
use super::{MAX_BODY_BYTES, Sample};

/// What the user asked for, as typed: built from the command line once.
#[derive(Debug, Default, Clone)]
pub(crate) struct PayloadSpec {
    /// The sample device's platform; `None`: the first the event supports.
    pub platform: Option<Platform>,
    /// The user's own document: its bytes, and where they came from.
    pub data: Option<(Vec<u8>, String)>,
    /// `--set` edits, as typed.
    pub set: Vec<String>,
    /// `--unset` paths, as typed; they apply after every `--set`.
    pub unset: Vec<String>,
    /// Send `data`'s bytes unchecked (mock's `--raw`): needs `data`, and
    /// no edits, which would need the document parsed.
    pub raw: bool,
    /// Re-serialise `data` compactly even without edits. `send` asks for
    /// it: its log embeds the body on one line, and redelivers it from
    /// there byte for byte. Otherwise `data` is sent exactly as it is.
    pub compact_data: bool,
    /// Derive event ids and devices from this seed instead of at random.
    pub seed: Option<u64>,
    /// The sample's time instead of now.
    pub at: Option<Timestamp>,
}

/// A checked request for bodies.
pub(crate) struct BodySource {
    pub event: &'static Event,
    platform: Platform,
    /// The user's document, final: the same body for every request. `None`
    /// for the event's sample.
    fixed: Option<Body>,
    edits: Edits,
    seed: Option<u64>,
    at: Option<Timestamp>,
}

/// One body, ready to sign and send.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub bytes: Bytes,
    pub event_id: String,
}

impl BodySource {
    pub(crate) fn new(event: &'static Event, spec: PayloadSpec) -> Result<BodySource> {
        let platform = spec.platform.unwrap_or_else(|| event.default_platform());
        event.check_platform(platform).map_err(usage)?;
        let edits = Edits::parse(&spec.set, &spec.unset)?;
        if spec.raw {
            if spec.data.is_none() {
                return Err(usage(
                    "--raw needs --data FILE: it sends a file's bytes unchecked, and a sample is always JSON",
                ));
            }
            if !edits.is_empty() {
                return Err(usage(
                    "--raw cannot be combined with --set or --unset: edits need the body parsed as JSON",
                ));
            }
        }
        let mut source = BodySource {
            event,
            platform,
            fixed: None,
            edits,
            seed: spec.seed,
            at: spec.at,
        };
        match spec.data {
            Some((bytes, shown)) => {
                source.fixed =
                    Some(source.fixed_body(bytes, &shown, spec.raw, spec.compact_data)?);
            }
            // An edit that cannot apply, or that makes the body name another
            // event, fails here, before any request.
            None => {
                source.builder()?.build(0)?;
            }
        }
        Ok(source)
    }

    /// The event's sample, as it is, on its default platform.
    pub(crate) fn sample(event: &'static Event) -> Result<BodySource> {
        BodySource::new(event, PayloadSpec::default())
    }

    /// The user's document as the body of every request: its bytes as
    /// they are, unless edits (or `compact_data`) need it re-serialised.
    /// A burst of it is the same event, so its id is chosen once.
    fn fixed_body(
        &self,
        bytes: Vec<u8>,
        shown: &str,
        raw: bool,
        compact_data: bool,
    ) -> Result<Body> {
        let (document, bytes) = if raw {
            // The event id, if the bytes happen to be JSON that has one.
            (serde_json::from_slice::<Value>(&bytes).ok(), bytes)
        } else {
            let mut document = edit::parse_document(&bytes)
                .map_err(|why| usage(format!("--data {shown}: {why}")))?;
            self.edits.apply(&mut document)?;
            check_event(&document, self.event, &self.edits, Some(shown))?;
            let bytes = if self.edits.is_empty() && !compact_data {
                bytes
            } else {
                edit::compact(&document)
            };
            (Some(document), bytes)
        };
        let event_id = document
            .as_ref()
            .and_then(edit::event_id_of)
            .map_or_else(|| self.event_id(0), str::to_string);
        Ok(Body {
            bytes: checked_size(bytes)?,
            event_id,
        })
    }

    /// Something that makes bodies: once per command, or per worker of a burst.
    pub(crate) fn builder(&self) -> Result<BodyBuilder<'_>> {
        Ok(match &self.fixed {
            Some(body) => BodyBuilder::Fixed(body),
            None => BodyBuilder::Sample {
                sample: Sample::new(
                    self.event,
                    self.platform,
                    self.at.unwrap_or_else(Timestamp::now),
                ),
                source: self,
            },
        })
    }

    /// The event id of request `n`: drawn from the seed and `n`, or fresh.
    fn event_id(&self, n: u32) -> String {
        match self.seed {
            Some(seed) => seeded_event_id(seed, self.event, n).to_string(),
            None => ids::fresh().to_string(),
        }
    }

    /// The device of request `n`: a seed moves the whole burst to devices
    /// of its own, still one per request.
    fn device_no(&self, n: u32) -> u32 {
        match self.seed {
            Some(seed) => seeded_device_offset(seed, self.platform).wrapping_add(n),
            None => n,
        }
    }
}

/// Makes the bodies of one command or one burst worker.
pub(crate) enum BodyBuilder<'a> {
    Fixed(&'a Body),
    Sample {
        sample: Sample,
        source: &'a BodySource,
    },
}

impl BodyBuilder<'_> {
    /// The body of request number `n` (a burst counts them from 0): the
    /// sample with its event id and device, or the user's document as it is.
    pub(crate) fn build(&mut self, n: u32) -> Result<Body> {
        self.build_of(n, n)
    }

    /// The body of event number `event_no` on device number `device_no`:
    /// a scenario's steps are events of one device.
    pub(crate) fn build_of(&mut self, event_no: u32, device_no: u32) -> Result<Body> {
        let (sample, source) = match self {
            BodyBuilder::Fixed(body) => return Ok((*body).clone()),
            BodyBuilder::Sample { sample, source } => (sample, source),
        };
        let event_id = source.event_id(event_no);
        sample.stamp(&event_id, source.device_no(device_no));
        if source.edits.is_empty() {
            // The sample as it is: re-stamped in place, never copied.
            return Ok(Body {
                bytes: checked_size(edit::compact(sample.document()))?,
                event_id,
            });
        }
        // Edits apply to a copy: the sample must stay whole for the next
        // request, as an --unset or an append would not apply twice.
        let mut document = sample.document().clone();
        source.edits.apply(&mut document)?;
        check_event(&document, source.event, &source.edits, None)?;
        let event_id = edit::event_id_of(&document).map_or(event_id, str::to_string);
        Ok(Body {
            bytes: checked_size(edit::compact(&document))?,
            event_id,
        })
    }
}

/// `--set` and `--unset`, parsed.
#[derive(Debug, Default)]
struct Edits {
    set: Vec<Assignment>,
    unset: Vec<Removal>,
}

impl Edits {
    fn parse(set: &[String], unset: &[String]) -> Result<Edits> {
        Ok(Edits {
            set: set
                .iter()
                .map(|s| Assignment::parse(s))
                .collect::<Result<_, _>>()
                .map_err(usage)?,
            unset: unset
                .iter()
                .map(|s| Removal::parse(s))
                .collect::<Result<_, _>>()
                .map_err(usage)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.set.is_empty() && self.unset.is_empty()
    }

    /// Every `--set`, then every `--unset`.
    fn apply(&self, document: &mut Value) -> Result<()> {
        for assignment in &self.set {
            assignment.apply(document).map_err(usage)?;
        }
        for removal in &self.unset {
            removal.apply(document).map_err(usage)?;
        }
        Ok(())
    }

    /// The last `--set` of the top-level `event`: what put it there.
    fn event_set(&self) -> Option<&Assignment> {
        self.set.iter().rev().find(|a| a.path() == ["event"])
    }
}

/// X-SF-Event is the event given: a body whose top-level `event` is a
/// string must say the same. A body without one, or with another kind of
/// value, is the user's business.
fn check_event(
    document: &Value,
    event: &Event,
    edits: &Edits,
    data_shown: Option<&str>,
) -> Result<()> {
    let Some(named) = document.get("event").and_then(Value::as_str) else {
        return Ok(());
    };
    if named == event.wire {
        return Ok(());
    }
    let source = match (edits.event_set(), data_shown) {
        (Some(assignment), _) => format!("--set {}", assignment.text()),
        (None, Some(shown)) => format!("--data {shown}"),
        (None, None) => "the body".to_string(),
    };
    let failure = match EVENTS.iter().find(|e| e.wire == named) {
        Some(other) => Failure::new(
            Kind::Usage,
            format!(
                "{source}: the body's event is {named} but the command names {}",
                event.slug
            ),
        )
        .with_hint(format!("name {} instead", other.slug)),
        None => Failure::new(
            Kind::Usage,
            format!(
                "{source}: the body's event is {named:?} but X-SF-Event is {}",
                event.wire
            ),
        )
        .with_hint(format!(
            "they must agree: set the body's event to {}",
            event.wire
        )),
    };
    Err(failure.into())
}

fn checked_size(bytes: Vec<u8>) -> Result<Bytes> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(usage(format!(
            "the body is larger than {} MiB",
            MAX_BODY_BYTES / (1024 * 1024)
        )));
    }
    Ok(Bytes::from(bytes))
}

/// A generator for one purpose (`stream`) of request `n` under `seed`.
/// The seed, the purpose and the request number are mixed before they
/// seed fastrand: its generator steps its state by a constant, so seeds
/// that differ by a small number would otherwise draw related values.
fn seeded_rng(seed: u64, stream: &str, n: u32) -> fastrand::Rng {
    // FNV-1a over the purpose, then SplitMix64's finaliser over the whole.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in stream.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut mixed = seed ^ hash.rotate_left(17) ^ u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    fastrand::Rng::with_seed(mixed ^ (mixed >> 31))
}

/// The event id of request `n` under `seed`: a version 4 UUID, as fresh
/// ones are. The event is mixed in so that a scenario's steps differ.
fn seeded_event_id(seed: u64, event: &Event, n: u32) -> uuid::Uuid {
    let bits = seeded_rng(seed, event.wire, n).u128(..);
    uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid()
}

/// Where a seed's devices start: the platform is mixed in, so that one
/// seed gives each platform its own devices.
fn seeded_device_offset(seed: u64, platform: Platform) -> u32 {
    seeded_rng(seed, platform.name(), 0).u32(..SEEDED_DEVICES)
}

/// How many device numbers a seed's burst may start at.
const SEEDED_DEVICES: u32 = 100_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::resolve;

    fn spec() -> PayloadSpec {
        PayloadSpec::default()
    }

    fn event(name: &str) -> &'static Event {
        resolve(name).unwrap()
    }

    fn bodies(source: &BodySource, n: u32) -> Vec<Body> {
        let mut builder = source.builder().unwrap();
        (0..n).map(|i| builder.build(i).unwrap()).collect()
    }

    fn message(err: &anyhow::Error) -> String {
        format!("{err:#}")
    }

    #[test]
    fn data_is_sent_as_it_is_unless_edited_or_compacted() {
        let data =
            b"{ \"id\": \"e-1\", \"v\": \"\\u00e9\", \"n\": 1E5, \"k\": 1, \"k\": 2 }\n".to_vec();
        let with = |edit: PayloadSpec| {
            let spec = PayloadSpec {
                data: Some((data.clone(), "doc.json".into())),
                ..edit
            };
            bodies(&BodySource::new(event("device-enrolled"), spec).unwrap(), 1).remove(0)
        };
        let exact = with(spec());
        assert_eq!(exact.bytes.as_ref(), data.as_slice());
        assert_eq!(exact.event_id, "e-1");
        let compacted = with(PayloadSpec {
            compact_data: true,
            ..spec()
        });
        assert!(!compacted.bytes.contains(&b' '), "{:?}", compacted.bytes);
        let edited = with(PayloadSpec {
            set: vec!["x=1".into()],
            ..spec()
        });
        assert_eq!(
            serde_json::from_slice::<Value>(&edited.bytes).unwrap()["x"],
            "1"
        );
    }

    #[test]
    fn a_burst_of_data_is_one_event() {
        let spec = PayloadSpec {
            data: Some((b"{\"no\":\"id\"}".to_vec(), "stdin".into())),
            ..spec()
        };
        let source = BodySource::new(event("device-enrolled"), spec).unwrap();
        let all = bodies(&source, 3);
        assert!(all.iter().all(|b| b.event_id == all[0].event_id));
        // Another builder (another burst worker) too.
        assert_eq!(bodies(&source, 1)[0].event_id, all[0].event_id);
    }

    #[test]
    fn raw_sends_anything_but_needs_data_and_no_edits() {
        let bytes = b"{\"id\": \"x\", \xff oops".to_vec();
        let spec = PayloadSpec {
            data: Some((bytes.clone(), "f".into())),
            raw: true,
            ..spec()
        };
        let source = BodySource::new(event("device-locked"), spec.clone()).unwrap();
        assert_eq!(bodies(&source, 1)[0].bytes.as_ref(), bytes.as_slice());
        // Without --raw the same bytes are refused.
        let checked = BodySource::new(
            event("device-locked"),
            PayloadSpec {
                raw: false,
                ..spec.clone()
            },
        );
        assert!(message(&checked.err().unwrap()).contains("not valid JSON"));

        let alone = BodySource::new(
            event("device-locked"),
            PayloadSpec {
                raw: true,
                ..PayloadSpec::default()
            },
        );
        assert!(message(&alone.err().unwrap()).contains("--raw needs --data"));
        for (set, unset) in [
            (vec!["a=1".to_string()], vec![]),
            (vec![], vec!["id".to_string()]),
        ] {
            let err = BodySource::new(
                event("device-locked"),
                PayloadSpec {
                    set,
                    unset,
                    ..spec.clone()
                },
            )
            .err()
            .unwrap();
            assert!(
                message(&err).contains("--raw cannot be combined"),
                "{err:#}"
            );
        }
        // A raw body that names another event is sent all the same.
        let other = PayloadSpec {
            data: Some((b"{\"event\":\"device.lost\"}".to_vec(), "f".into())),
            raw: true,
            ..PayloadSpec::default()
        };
        assert!(BodySource::new(event("device-locked"), other).is_ok());
    }

    #[test]
    fn the_body_must_name_the_event_given() {
        let err = BodySource::new(
            event("device-enrolled"),
            PayloadSpec {
                set: vec!["event=device.locked".into()],
                ..spec()
            },
        )
        .err()
        .unwrap();
        assert_eq!(
            message(&err),
            "--set event=device.locked: the body's event is device.locked but the command names device-enrolled; name device-locked instead"
        );
        assert_eq!(
            crate::core::error::kind_of(&err),
            Some(crate::core::error::Kind::Usage)
        );

        let data = |text: &str| PayloadSpec {
            data: Some((text.as_bytes().to_vec(), "doc.json".into())),
            ..spec()
        };
        let err = BodySource::new(event("device-enrolled"), data("{\"event\":\"nope\"}"))
            .err()
            .unwrap();
        assert!(message(&err).starts_with("--data doc.json: the body's event is \"nope\""));
        // Agreeing, absent, or not a string: fine.
        for ok in [
            "{\"event\":\"device.enrolled\"}",
            "{\"id\":\"x\"}",
            "{\"event\":7}",
            "[]",
        ] {
            assert!(
                BodySource::new(event("device-enrolled"), data(ok)).is_ok(),
                "{ok}"
            );
        }
        // An edit can put it right, or take it away.
        for spec in [
            PayloadSpec {
                set: vec!["event=device.enrolled".into()],
                ..data("{\"event\":\"device.lost\"}")
            },
            PayloadSpec {
                unset: vec!["event".into()],
                ..data("{\"event\":\"device.lost\"}")
            },
            PayloadSpec {
                set: vec!["event=device.lost".into()],
                unset: vec!["event".into()],
                ..spec()
            },
        ] {
            assert!(BodySource::new(event("device-enrolled"), spec).is_ok());
        }
    }

    #[test]
    fn unset_and_append_apply_to_every_request_of_a_burst() {
        let source = BodySource::new(
            event("device-enrolled"),
            PayloadSpec {
                set: vec!["data.devices.0.custom_properties.3:={\"name\":\"Floor\"}".into()],
                unset: vec![
                    "data.devices.0.imei_no".into(),
                    "data.devices.0.custom_properties.0".into(),
                ],
                ..spec()
            },
        )
        .unwrap();
        for body in bodies(&source, 3) {
            let document: Value = serde_json::from_slice(&body.bytes).unwrap();
            let device = &document["data"]["devices"][0];
            assert!(device.get("imei_no").is_none());
            let names: Vec<&str> = device["custom_properties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["Cost Center", "Warranty Expires", "Floor"]);
        }
    }

    #[test]
    fn a_seed_and_a_time_make_samples_reproducible() {
        let seeded = |seed: Option<u64>, at: Option<&str>| {
            let spec = PayloadSpec {
                platform: Some(Platform::Ios),
                seed,
                at: at.map(|t| t.parse().unwrap()),
                ..spec()
            };
            bodies(&BodySource::new(event("device-enrolled"), spec).unwrap(), 3)
        };
        let at = Some("2026-01-01T00:00:00Z");
        let a = seeded(Some(7), at);
        let b = seeded(Some(7), at);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.bytes, y.bytes);
            assert_eq!(x.event_id, y.event_id);
        }
        let ids: std::collections::HashSet<&str> = a.iter().map(|b| b.event_id.as_str()).collect();
        assert_eq!(ids.len(), 3);
        let first: Value = serde_json::from_slice(&a[0].bytes).unwrap();
        assert_eq!(first["id"], a[0].event_id);
        assert_eq!(first["created_at"], "2026-01-01T00:00:00Z");

        let device = |bodies: &[Body], i: usize| {
            serde_json::from_slice::<Value>(&bodies[i].bytes).unwrap()["data"]["devices"][0].clone()
        };
        // Another seed: other ids and other devices.
        let c = seeded(Some(8), at);
        assert_ne!(a[0].event_id, c[0].event_id);
        assert_ne!(device(&a, 0)["id"], device(&c, 0)["id"]);
        // The seed alone fixes the ids, not the time.
        let d = seeded(Some(7), None);
        assert_eq!(a[1].event_id, d[1].event_id);
        assert_eq!(device(&a, 1), {
            let mut dev = device(&d, 1);
            dev["last_connected_at"] = device(&a, 1)["last_connected_at"].clone();
            dev["enrollment"]["enrolled_at"] = device(&a, 1)["enrollment"]["enrolled_at"].clone();
            dev
        });
        // The time alone fixes the times, not the ids.
        let e = seeded(None, at);
        let f = seeded(None, at);
        assert_ne!(e[0].event_id, f[0].event_id);
        assert_eq!(device(&e, 0), device(&f, 0));
    }

    #[test]
    fn seeded_ids_are_version_4_and_differ_by_seed_event_and_request() {
        let enrolled = event("device-enrolled");
        let locked = event("device-locked");
        let id = seeded_event_id(1, enrolled, 0);
        assert_eq!(id.get_version_num(), 4);
        assert_eq!(id, seeded_event_id(1, enrolled, 0));
        assert_ne!(id, seeded_event_id(2, enrolled, 0));
        assert_ne!(id, seeded_event_id(1, locked, 0));
        assert_ne!(id, seeded_event_id(1, enrolled, 1));
        let ids: std::collections::HashSet<_> = (0..1000)
            .map(|seed| seeded_event_id(seed, enrolled, 0))
            .collect();
        assert_eq!(ids.len(), 1000);
        assert_ne!(
            seeded_device_offset(1, Platform::Android),
            seeded_device_offset(1, Platform::Ios)
        );
    }
}
