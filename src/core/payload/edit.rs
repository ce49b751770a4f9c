//! The user's edits of a body (`--set`, `--unset`) and the user's own
//! documents (`--data`), and the compact bytes that are signed and sent.
//!
//! A path is dotted keys (`data.devices.0.name`), numbers indexing arrays;
//! `\.` is a dot inside a key.

use serde_json::{Map, Value};

use super::MAX_BODY_BYTES;

/// How deeply a body may nest objects and arrays. The delivery log reads
/// records back with serde_json, which stops at 128 levels, the record
/// itself being one: a deeper body could be sent but never shown or
/// redelivered. Real payloads nest a handful of levels.
pub const MAX_NESTING: usize = 100;

/// How many levels of objects and arrays `value` nests: 0 for a scalar.
fn nesting(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

fn too_deep(levels: usize) -> String {
    format!(
        "it nests {levels} levels deep, and a body may nest at most {MAX_NESTING} \
         (what the delivery log can read back)"
    )
}

/// One `--set` edit, parsed: `PATH=TEXT` sets a string, `PATH:=JSON` any value.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// As typed, to name the edit in a message.
    text: String,
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
        let path = parse_path(path).map_err(|why| format!("--set {text}: {why}"))?;
        // Where the value lands, it adds its own levels to the path's: the
        // body nests at least that deep.
        let levels = path.len() + nesting(&value);
        if levels > MAX_NESTING {
            return Err(format!("--set {}: {}", shortened(text), too_deep(levels)));
        }
        Ok(Assignment {
            text: text.to_string(),
            path,
            value,
        })
    }

    /// The edit as it was typed, without the flag.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The keys and indexes of the path, unescaped.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Applies the edit; objects are created for missing keys, arrays are
    /// indexed by number, and the index one past the end appends (an
    /// object, if the path goes on). Anything else on the way is an error,
    /// and an error leaves the document as it was: nothing is created
    /// before the last place where the path can fail.
    pub fn apply(&self, document: &mut Value) -> Result<(), String> {
        let path = &self.path;
        let mut node = document;
        for (depth, key) in path.iter().enumerate() {
            let last = depth + 1 == path.len();
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
                    let index = array_index(key, items.len(), path, depth, "set", true)?;
                    if index == items.len() {
                        items.push(if last {
                            self.value.clone()
                        } else {
                            Value::Object(Map::new())
                        });
                    } else if last {
                        items[index] = self.value.clone();
                    }
                    if last {
                        return Ok(());
                    }
                    &mut items[index]
                }
                other => return Err(not_a_container("set", path, depth, other)),
            };
        }
        Ok(())
    }
}

/// One `--unset` edit, parsed: the path of a key or an array element to
/// remove.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    path: Vec<String>,
}

impl Removal {
    pub fn parse(text: &str) -> Result<Removal, String> {
        let path = parse_path(text).map_err(|why| format!("--unset {text}: {why}"))?;
        if path.len() > MAX_NESTING {
            return Err(format!(
                "--unset {}: the path is {} levels deep, and a body may nest at most {MAX_NESTING}",
                shortened(text),
                path.len()
            ));
        }
        Ok(Removal { path })
    }

    /// The keys and indexes of the path, unescaped.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Removes the key, or the array element (the later ones move up).
    /// A path that is not there is an error, and leaves the document as
    /// it was.
    pub fn apply(&self, document: &mut Value) -> Result<(), String> {
        let path = &self.path;
        let mut node = document;
        for (depth, key) in path.iter().enumerate() {
            let last = depth + 1 == path.len();
            node = match node {
                Value::Object(map) => {
                    if last {
                        // shift_remove keeps the order of the other keys
                        // (serde_json's preserve_order).
                        return match map.shift_remove(key) {
                            Some(_) => Ok(()),
                            None => Err(format!(
                                "cannot unset '{}': {} has no key '{key}'",
                                dotted(path),
                                place(path, depth)
                            )),
                        };
                    }
                    map.get_mut(key.as_str()).ok_or_else(|| {
                        format!(
                            "cannot unset '{}': {} has no key '{key}'",
                            dotted(path),
                            place(path, depth)
                        )
                    })?
                }
                Value::Array(items) => {
                    let index = array_index(key, items.len(), path, depth, "unset", false)?;
                    if last {
                        items.remove(index);
                        return Ok(());
                    }
                    &mut items[index]
                }
                other => return Err(not_a_container("unset", path, depth, other)),
            };
        }
        Ok(())
    }
}

/// Splits a dotted path into its keys: `\.` is a dot inside a key and
/// `\\` a backslash; any other backslash is itself.
fn parse_path(text: &str) -> Result<Vec<String>, String> {
    let mut keys = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let key = keys.last_mut().expect("keys is never empty");
        match c {
            '\\' => match chars.clone().next() {
                Some(escaped @ ('.' | '\\')) => {
                    key.push(escaped);
                    chars.next();
                }
                _ => key.push('\\'),
            },
            '.' => keys.push(String::new()),
            other => key.push(other),
        }
    }
    if keys.iter().any(String::is_empty) {
        return Err(
            "the path has an empty part; write it like data.devices.0.name (\\. is a dot inside a key)"
                .to_string(),
        );
    }
    Ok(keys)
}

/// The path as the user would type it, escapes included.
fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|key| key.replace('\\', "\\\\").replace('.', "\\."))
        .collect::<Vec<_>>()
        .join(".")
}

/// Where the path is at `depth`, for a message.
fn place(path: &[String], depth: usize) -> String {
    if depth == 0 {
        "the body".to_string()
    } else {
        format!("'{}'", dotted(&path[..depth]))
    }
}

/// The index that `path[depth]` names in an array of `len` items; `len`
/// itself only if `may_append`.
fn array_index(
    key: &str,
    len: usize,
    path: &[String],
    depth: usize,
    verb: &str,
    may_append: bool,
) -> Result<usize, String> {
    let here = place(path, depth);
    // Only plain digits: usize's parser would also take "+1".
    let index = key
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| key.parse::<usize>().ok())
        .flatten()
        .ok_or_else(|| {
            format!(
                "cannot {verb} '{}': {here} is an array, so '{key}' must be an index",
                dotted(path)
            )
        })?;
    let limit = if may_append { len + 1 } else { len };
    if index >= limit {
        let allowed = if may_append {
            format!(" (index {len} appends)")
        } else {
            String::new()
        };
        return Err(format!(
            "cannot {verb} '{}': {here} has {len} items, so index {index} is out of range{allowed}",
            dotted(path)
        ));
    }
    Ok(index)
}

fn not_a_container(verb: &str, path: &[String], depth: usize, found: &Value) -> String {
    format!(
        "cannot {verb} '{}': {} is {}, not an object or array",
        dotted(path),
        place(path, depth),
        kind(found)
    )
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
    let document: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let levels = nesting(&document);
    if levels > MAX_NESTING {
        return Err(format!("the document is refused: {}", too_deep(levels)));
    }
    Ok(document)
}

/// A long argument cut for a message: a 60,000-level path is not worth
/// repeating whole.
fn shortened(text: &str) -> String {
    const SHOWN: usize = 60;
    if text.chars().count() > SHOWN {
        format!("{}…", text.chars().take(SHOWN).collect::<String>())
    } else {
        text.to_string()
    }
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

    fn apply_set(doc: &mut Value, edit: &str) -> Result<(), String> {
        Assignment::parse(edit)?.apply(doc)
    }

    fn apply_unset(doc: &mut Value, path: &str) -> Result<(), String> {
        Removal::parse(path)?.apply(doc)
    }

    #[test]
    fn an_index_one_past_the_end_appends() {
        let mut doc = serde_json::json!({ "a": [1, 2] });
        apply_set(&mut doc, "a.2:=3").unwrap();
        apply_set(&mut doc, "a.3.name=x").unwrap();
        apply_set(&mut doc, "a.0:=0").unwrap();
        assert_eq!(doc, serde_json::json!({ "a": [0, 2, 3, { "name": "x" }] }));
        let before = doc.clone();
        let err = apply_set(&mut doc, "a.5:=5").unwrap_err();
        assert_eq!(
            err,
            "cannot set 'a.5': 'a' has 4 items, so index 5 is out of range (index 4 appends)"
        );
        assert!(
            apply_set(&mut doc, "a.+4:=5")
                .unwrap_err()
                .contains("must be an index")
        );
        assert_eq!(doc, before);
    }

    #[test]
    fn a_backslash_escapes_a_dot_in_a_key() {
        let mut doc = serde_json::json!({ "a.b": { "c": 1 }, "a": {} });
        apply_set(&mut doc, r"a\.b.c:=2").unwrap();
        apply_set(&mut doc, r"a.x\.y=z").unwrap();
        apply_set(&mut doc, r"w\\.v=back").unwrap();
        apply_set(&mut doc, r"p\q=lone").unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "a.b": { "c": 2 },
                "a": { "x.y": "z" },
                "w\\": { "v": "back" },
                "p\\q": "lone",
            })
        );
        apply_unset(&mut doc, r"a\.b").unwrap();
        assert!(doc.get("a.b").is_none());
        // The message shows the path as it is typed.
        let err = apply_unset(&mut doc, r"a.x\.z").unwrap_err();
        assert_eq!(err, r"cannot unset 'a.x\.z': 'a' has no key 'x.z'");
        assert_eq!(Removal::parse(r"a\.").unwrap().path(), ["a."]);
        assert_eq!(Removal::parse(r"\..x").unwrap().path(), [".", "x"]);
        assert!(Removal::parse("a..b").is_err());
        assert!(Removal::parse("").is_err());
        assert!(Removal::parse("a.").is_err());
    }

    #[test]
    fn unset_removes_keys_and_elements_and_refuses_what_is_not_there() {
        let mut doc = serde_json::json!({ "a": 1, "b": [10, 20, 30], "c": { "d": true }, "e": 2 });
        apply_unset(&mut doc, "a").unwrap();
        apply_unset(&mut doc, "b.1").unwrap();
        apply_unset(&mut doc, "c.d").unwrap();
        assert_eq!(doc, serde_json::json!({ "b": [10, 30], "c": {}, "e": 2 }));
        // The other keys keep their order.
        assert_eq!(compact(&doc), br#"{"b":[10,30],"c":{},"e":2}"#);
        let before = doc.clone();
        for (path, message) in [
            ("a", "cannot unset 'a': the body has no key 'a'"),
            ("c.d.x", "cannot unset 'c.d.x': 'c' has no key 'd'"),
            (
                "b.2",
                "cannot unset 'b.2': 'b' has 2 items, so index 2 is out of range",
            ),
            (
                "b.x",
                "cannot unset 'b.x': 'b' is an array, so 'x' must be an index",
            ),
            (
                "e.x",
                "cannot unset 'e.x': 'e' is a number, not an object or array",
            ),
        ] {
            assert_eq!(apply_unset(&mut doc, path).unwrap_err(), message, "{path}");
        }
        assert_eq!(doc, before);
    }

    #[test]
    fn bodies_nest_no_deeper_than_the_log_reads_back() {
        let path = |levels: usize| vec!["k"; levels].join(".");
        assert!(Assignment::parse(&format!("{}=x", path(MAX_NESTING))).is_ok());
        let err = Assignment::parse(&format!("{}=x", path(MAX_NESTING + 1))).unwrap_err();
        assert!(err.contains("101 levels"), "{err}");
        // The value's own levels count where it lands.
        let deep = format!("k.k:={}{}", "[".repeat(99), "]".repeat(99));
        assert!(Assignment::parse(&deep).is_err());
        assert!(Removal::parse(&path(MAX_NESTING + 1)).is_err());
        let document = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse_document(document.as_bytes()).is_ok());
        let document = format!("[{document}]");
        assert!(parse_document(document.as_bytes()).is_err());
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
