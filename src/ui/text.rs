//! Numbers and text from outside, written for people. The core writes its
//! messages with the same helpers, so they live there.

pub(crate) use crate::core::units::{answer_preview, count, human_ms};
