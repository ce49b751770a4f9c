//! Everything a person or a pipe sees: the output mode decided once,
//! colour, tables, prompts, progress, and text from outside made safe to
//! print.

pub(crate) mod complete;
pub(crate) mod delivery;
pub(crate) mod doctor;
pub(crate) mod events;
pub(crate) mod json;
pub(crate) mod log;
pub(crate) mod output;
pub(crate) mod pager;
pub(crate) mod prompt;
pub(crate) mod report;
pub(crate) mod scenario;
pub(crate) mod seen;
pub(crate) mod status;
pub(crate) mod text;
