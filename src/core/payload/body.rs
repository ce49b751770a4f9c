//! The body of a delivery as the user asked for it: the event's sample on
//! a platform, or the user's own document, plus `--set` edits. Checked
//! once, before anything is sent; then bodies are made per request.

use anyhow::Result;
use bytes::Bytes;
use jiff::Timestamp;
use serde_json::Value;

use crate::core::catalog::{Event, Platform};
use crate::core::error::usage;
use crate::core::ids;

use super::edit::{self, Assignment};
use super::{MAX_BODY_BYTES, Sample};

/// What the user asked for, as typed: built from the command line once.
#[derive(Debug, Default)]
pub(crate) struct PayloadSpec {
    /// The sample device's platform; `None`: the first the event supports.
    pub platform: Option<Platform>,
    /// The user's own document: its bytes, and where they came from.
    pub data: Option<(Vec<u8>, String)>,
    /// `--set` edits, as typed.
    pub set: Vec<String>,
}

/// A checked request for bodies.
pub(crate) struct BodySource {
    pub event: &'static Event,
    platform: Platform,
    document: Option<Value>,
    edits: Vec<Assignment>,
}

/// One body, ready to sign and send.
pub(crate) struct Body {
    pub bytes: Bytes,
    pub event_id: String,
}

impl BodySource {
    pub(crate) fn new(event: &'static Event, spec: PayloadSpec) -> Result<BodySource> {
        let platform = spec.platform.unwrap_or_else(|| event.default_platform());
        event.check_platform(platform).map_err(usage)?;
        let document = match &spec.data {
            Some((bytes, shown)) => Some(
                edit::parse_document(bytes)
                    .map_err(|why| usage(format!("--data {shown}: {why}")))?,
            ),
            None => None,
        };
        let edits = spec
            .set
            .iter()
            .map(|s| Assignment::parse(s))
            .collect::<Result<_, _>>()
            .map_err(usage)?;
        let source = BodySource {
            event,
            platform,
            document,
            edits,
        };
        // An edit that cannot apply fails here, before any request.
        source.builder()?.build(0)?;
        Ok(source)
    }

    /// The event's sample, as it is, on its default platform.
    pub(crate) fn sample(event: &'static Event) -> Result<BodySource> {
        BodySource::new(event, PayloadSpec::default())
    }

    /// Something that makes bodies: once per command, or per worker of a burst.
    pub(crate) fn builder(&self) -> Result<BodyBuilder<'_>> {
        Ok(match &self.document {
            Some(document) => {
                // The user's document is the same for every request: edit
                // and serialise it once.
                let mut document = document.clone();
                for edit in &self.edits {
                    edit.apply(&mut document).map_err(usage)?;
                }
                BodyBuilder::Fixed {
                    event_id: edit::event_id_of(&document).map(str::to_string),
                    bytes: checked_size(edit::compact(&document))?,
                }
            }
            None => BodyBuilder::Sample {
                sample: Sample::new(self.event, self.platform, Timestamp::now()),
                edits: &self.edits,
            },
        })
    }
}

/// Makes the bodies of one command or one burst worker.
pub(crate) enum BodyBuilder<'a> {
    Fixed {
        bytes: Bytes,
        event_id: Option<String>,
    },
    Sample {
        sample: Sample,
        edits: &'a [Assignment],
    },
}

impl BodyBuilder<'_> {
    /// The body for device number `device_no` (a burst varies it): the
    /// sample with a fresh event id, or the user's document as it is.
    pub(crate) fn build(&mut self, device_no: u32) -> Result<Body> {
        let fresh_id = || ids::fresh().to_string();
        match self {
            BodyBuilder::Fixed { bytes, event_id } => Ok(Body {
                bytes: bytes.clone(),
                event_id: event_id.clone().unwrap_or_else(fresh_id),
            }),
            BodyBuilder::Sample { sample, edits } => {
                sample.stamp(&fresh_id(), device_no);
                for edit in edits.iter() {
                    edit.apply(sample.document_mut()).map_err(usage)?;
                }
                let document = sample.document();
                let event_id = edit::event_id_of(document).map_or_else(fresh_id, str::to_string);
                Ok(Body {
                    bytes: checked_size(edit::compact(document))?,
                    event_id,
                })
            }
        }
    }
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
