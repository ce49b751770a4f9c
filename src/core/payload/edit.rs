//! The user's edits of a body (`--set`) and the user's own documents
//! (`--data`), and the compact bytes that are signed and sent.

use serde_json::{Map, Value};

use super::MAX_BODY_BYTES;

/// One `--set` edit, parsed: `PATH=TEXT` sets a string, `PATH:=JSON` any value.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    path: Vec<String>,
    value: Value,
}

impl Assignment {
    pub fn parse(text: &str) -> Result<Assignment, String> {
        let (path, value) = match text.split_once('=') {
            Some((path, json_text)) if path.ends_with(':') => {
                let value = serde_json::from_str(json_text).map_err(|e| {
                    format!("--set {text}: the value after ':=' is not valid JSON ({e})")
                })?;
                (&path[..path.len() - 1], value)
            }
            Some((path, string)) => (path, Value::String(string.to_string())),
            None => return Err(format!("--set {text}: expected PATH=TEXT or PATH:=JSON")),
        };
        let path: Vec<String> = path.split('.').map(str::to_string).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!(
                "--set {text}: the path has an empty part; write it like data.devices.0.name"
            ));
        }
        Ok(Assignment { path, value })
    }

    /// Applies the edit; objects are created for missing keys, arrays are
    /// indexed by number. Anything else on the way is an error.
    pub fn apply(&self, document: &mut Value) -> Result<(), String> {
        let mut node = document;
        let dotted = |upto: usize| self.path[..upto].join(".");
        for (depth, key) in self.path.iter().enumerate() {
            let last = depth + 1 == self.path.len();
            let here = if depth == 0 {
                "the body".to_string()
            } else {
                format!("'{}'", dotted(depth))
            };
            node = match node {
                Value::Object(map) => {
                    if last {
                        map.insert(key.clone(), self.value.clone());
                        return Ok(());
                    }
                    map.entry(key.clone())
                        .or_insert_with(|| Value::Object(Map::new()))
                }
                Value::Array(items) => {
                    let len = items.len();
                    let index: usize = key.parse().map_err(|_| {
                        format!(
                            "cannot set '{}': {here} is an array, so '{key}' must be an index",
                            dotted(self.path.len())
                        )
                    })?;
                    let slot = items.get_mut(index).ok_or_else(|| {
                        format!("cannot set '{}': {here} has {len} items, so index {index} is out of range", dotted(self.path.len()))
                    })?;
                    if last {
                        *slot = self.value.clone();
                        return Ok(());
                    }
                    slot
                }
                other => {
                    return Err(format!(
                        "cannot set '{}': {here} is {}, not an object or array",
                        dotted(self.path.len()),
                        kind(other)
                    ));
                }
            };
        }
        Ok(())
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a user's `--data` document. The error names line and column.
pub fn parse_document(bytes: &[u8]) -> Result<Value, String> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(format!(
            "the document is larger than {} MiB",
            MAX_BODY_BYTES / (1024 * 1024)
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))
}

/// The exact bytes that are signed and sent: compact JSON, no newline.
pub fn compact(document: &Value) -> Vec<u8> {
    serde_json::to_vec(document).expect("a serde_json::Value always serialises")
}

/// The event id a body carries (`id`), if it is a string.
pub fn event_id_of(document: &Value) -> Option<&str> {
    document.get("id").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::{Platform, resolve};
    use crate::core::payload::sample;
    use crate::core::payload::tests::now;

    #[test]
    fn set_edits_strings_json_and_creates_objects() {
        let mut doc = sample(
            resolve("device-locked").unwrap(),
            Platform::Android,
            "e",
            now(),
            0,
        );
        Assignment::parse("data.devices.0.name=Kiosk 9")
            .unwrap()
            .apply(&mut doc)
            .unwrap();
        Assignment::parse("data.devices.0.locked:=false")
            .unwrap()
            .apply(&mut doc)
            .unwrap();
        Assignment::parse("meta.source.tool=sfhook")
            .unwrap()
            .apply(&mut doc)
            .unwrap();
        Assignment::parse("id:=123")
            .unwrap()
            .apply(&mut doc)
            .unwrap();
        assert_eq!(doc["data"]["devices"][0]["name"], "Kiosk 9");
        assert_eq!(doc["data"]["devices"][0]["locked"], false);
        assert_eq!(doc["meta"]["source"]["tool"], "sfhook");
        assert_eq!(doc["id"], 123);
    }

    #[test]
    fn set_refuses_what_it_cannot_do() {
        let mut doc = sample(
            resolve("device-locked").unwrap(),
            Platform::Android,
            "e",
            now(),
            0,
        );
        let before = doc.clone();
        for (edit, needle) in [
            ("id.x=1", "is a string"),
            ("data.devices.x=1", "must be an index"),
            ("data.devices.5.name=x", "out of range"),
        ] {
            let err = Assignment::parse(edit)
                .unwrap()
                .apply(&mut doc)
                .unwrap_err();
            assert!(err.contains(needle), "{edit}: {err}");
        }
        assert_eq!(doc, before);
        for bad in ["noequals", "a..b=1", "=1", "a:={", "a:="] {
            assert!(Assignment::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn documents_must_be_json() {
        assert!(parse_document(b"{\"a\":1}").is_ok());
        assert!(parse_document(b"{\"a\":").is_err());
        assert!(parse_document(&[0xff, 0xfe]).is_err());
        assert_eq!(
            compact(&parse_document(b"{ \"a\" : [1, 2] }\n").unwrap()),
            b"{\"a\":[1,2]}"
        );
    }
}
