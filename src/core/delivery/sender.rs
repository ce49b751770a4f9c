//! One attempt at a webhook, whole: sign the bytes, POST them, and, for a
//! real delivery, append the attempt's record to the log. Every command
//! that sends (send, redeliver, mock, bursts, doctor) goes through here;
//! retries and bursts are policies around it.

use anyhow::{Context as _, Result};
use bytes::Bytes;
use serde_json::value::RawValue;

use crate::core::endpoint::Endpoint;
use crate::core::home::Home;
use crate::core::log::{self, Record};
use crate::core::secret::Secret;
use crate::core::signature;
use crate::core::units::{format_timestamp, millis};

use super::extra::{ExtraHeader, Tamper};
use super::{Engine, Outcome, Request};

/// Where a sender records its attempts: a home's log, under a profile.
#[derive(Clone, Debug)]
pub(crate) struct LogTarget {
    pub home: Home,
    pub profile: String,
}

/// Signs with one secret and sends to one endpoint.
pub(crate) struct Sender {
    engine: Engine,
    endpoint: Endpoint,
    secret: Secret,
    /// `None` for mocks, which are never logged.
    log: Option<LogTarget>,
    /// Headers a test adds to every request.
    headers: Vec<ExtraHeader>,
}

/// What one attempt carries besides the endpoint and secret.
pub(crate) struct Delivery<'a> {
    /// The exact bytes to sign and send.
    pub body: Bytes,
    /// The wire name, for `X-SF-Event` and the log.
    pub event: &'a str,
    pub event_id: &'a str,
    /// The attempt's number, 1 for the first (retries count on).
    pub attempt: u32,
    /// The request id of the delivery this one re-sends.
    pub redelivery_of: Option<&'a str>,
    /// A forgery to send instead of the true delivery (mocks only).
    pub tamper: Option<Tamper>,
    /// Headers for this request only, after the sender's own.
    pub headers: &'a [ExtraHeader],
}

/// One attempt made.
pub(crate) struct Attempted {
    pub outcome: Outcome,
    /// The `X-SF-Signature` that went with the body; `None` if none did.
    pub signature: Option<String>,
    /// The record appended to the log (newline included), for a logged sender.
    pub record: Option<Vec<u8>>,
}

impl Sender {
    /// A sender whose attempts are mocks: marked `X-SF-Mock` and not logged.
    pub(crate) fn mock(engine: Engine, endpoint: Endpoint, secret: Secret) -> Sender {
        Sender {
            engine,
            endpoint,
            secret,
            log: None,
            headers: Vec::new(),
        }
    }

    /// A sender of real deliveries, each attempt a record in `log`.
    pub(crate) fn logged(
        engine: Engine,
        endpoint: Endpoint,
        secret: Secret,
        log: LogTarget,
    ) -> Sender {
        Sender {
            engine,
            endpoint,
            secret,
            log: Some(log),
            headers: Vec::new(),
        }
    }

    /// The same sender, adding `headers` to every request.
    pub(crate) fn with_headers(mut self, headers: Vec<ExtraHeader>) -> Sender {
        self.headers = headers;
        self
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Signs, sends and (for a real delivery) logs one attempt. An error
    /// means the attempt could not be recorded; what the endpoint said is
    /// in the outcome either way.
    pub(crate) async fn attempt(&self, delivery: &Delivery<'_>) -> Result<Attempted> {
        let signed = signature::sign(self.secret.expose().as_bytes(), &delivery.body);
        let (signature, body) = match delivery.tamper {
            None => (Some(signed), delivery.body.clone()),
            Some(tamper) => (
                tamper.signature(&delivery.body, signed),
                tamper.body(&delivery.body),
            ),
        };
        let headers: std::borrow::Cow<'_, [ExtraHeader]> = if delivery.headers.is_empty() {
            std::borrow::Cow::Borrowed(&self.headers)
        } else {
            std::borrow::Cow::Owned([self.headers.as_slice(), delivery.headers].concat())
        };
        let outcome = self
            .engine
            .deliver(&Request {
                url: self.endpoint.url(),
                body,
                signature: signature.as_deref(),
                event: delivery.event,
                mock: self.log.is_none(),
                headers: &headers,
            })
            .await;
        let record = match &self.log {
            Some(target) => Some(self.record(target, delivery, &outcome)?),
            None => None,
        };
        Ok(Attempted {
            outcome,
            signature,
            record,
        })
    }

    /// Appends the record of one attempt, with the payload embedded as the
    /// exact bytes that were signed, and returns its line.
    fn record(
        &self,
        target: &LogTarget,
        delivery: &Delivery<'_>,
        outcome: &Outcome,
    ) -> Result<Vec<u8>> {
        let text = std::str::from_utf8(&delivery.body).context("the body is not UTF-8")?;
        let payload = RawValue::from_string(text.to_string()).context("the body is not JSON")?;
        let error = outcome.error();
        let request_id = outcome.request_id.to_string();
        let url = self.endpoint.redacted();
        let line = Record {
            request_id: request_id.as_str().into(),
            event_id: delivery.event_id.into(),
            event: delivery.event.into(),
            timestamp: format_timestamp(outcome.started_at).into(),
            url: url.as_str().into(),
            response_code: outcome.code(),
            success: outcome.success(),
            error: error.as_deref().map(Into::into),
            duration_ms: millis(outcome.duration),
            attempt: delivery.attempt,
            redelivery_of: delivery.redelivery_of.map(Into::into),
            profile: target.profile.as_str().into(),
            payload: &payload,
            response_body: outcome.response_body().into(),
        }
        .to_line();
        // The request went out: name it, so that it can be reconciled with
        // what the receiver got, since the log will not hold it.
        log::append(&target.home, &line).with_context(|| {
            let answer = match outcome.code() {
                Some(code) => format!("answered {code}"),
                None => "no answer".to_string(),
            };
            format!(
                "request {request_id} (event {}, {answer}) was made, but its record cannot be written to {}",
                delivery.event_id,
                target.home.log_file().display()
            )
        })?;
        Ok(line)
    }
}
