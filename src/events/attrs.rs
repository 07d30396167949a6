//! An event's kind-specific fields, stored small: the evidence of an OOM storm is hundreds of
//! thousands of kills with eight fields each, and `serde_json::Value` (32 bytes, plus a 16-byte
//! key) made attrs the largest part of an event. Here a stored field is 16 bytes: the enum's
//! tag, a 2-byte interned name and an 8-byte scalar or pointer; arrays and objects (an OOM
//! report's task summary) keep their JSON form behind a box. Reads go through `AttrRef`, a
//! borrowed view with `serde_json::Value`'s accessors.
//!
//! Fields are sorted by name, so lookups are a binary search and the JSON is written in a
//! stable order (golden files rely on it).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, OnceLock};

/// Most distinct attribute names one process can hold. Rules declare tens; a Parquet file read
/// back (`input::parquet`) is refused when its attrs would pass this.
pub const MAX_KEYS: usize = 1 << 16;

/// An interned attribute name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(u16);

/// The names, by `Key`: written once each under `INDEX`'s lock, read without one.
static NAMES: [AtomicPtr<&'static str>; MAX_KEYS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; MAX_KEYS];

fn index() -> &'static Mutex<HashMap<&'static str, Key>> {
    static INDEX: OnceLock<Mutex<HashMap<&'static str, Key>>> = OnceLock::new();
    INDEX.get_or_init(Default::default)
}

impl Key {
    /// The key named `s`, interned on first use; `None` once `MAX_KEYS` names exist.
    pub fn of(s: &str) -> Option<Key> {
        let mut idx = index().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = idx.get(s) {
            return Some(*k);
        }
        let n = idx.len();
        if n >= MAX_KEYS {
            return None;
        }
        let name = super::key(s);
        NAMES[n].store(Box::leak(Box::new(name)), Ordering::Release);
        let k = Key(n as u16);
        idx.insert(name, k);
        Some(k)
    }

    /// `of` for the names of rules and code, which are few: the table cannot be full of them
    /// unless a Parquet file filled it first, and that read is refused before it does.
    pub fn named(s: &str) -> Key {
        Key::of(s).expect("attribute names are far fewer than MAX_KEYS")
    }

    pub fn name(self) -> &'static str {
        let p = NAMES[self.0 as usize].load(Ordering::Acquire);
        // SAFETY: a `Key` exists only after its slot was stored (Release, above), and the
        // slot points at a leaked `&'static str` that is never freed or replaced.
        unsafe { *p }
    }
}

/// A value to store: JSON's scalars, a string, anything else as JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(Box<str>),
    Json(Box<Value>),
}

impl From<Value> for AttrValue {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => AttrValue::Null,
            Value::Bool(b) => AttrValue::Bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => AttrValue::U64(u),
                (None, Some(i)) => AttrValue::I64(i),
                // A number serde_json holds is one of the three.
                _ => AttrValue::F64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => AttrValue::Str(s.into_boxed_str()),
            v => AttrValue::Json(Box::new(v)),
        }
    }
}

/// A borrowed attribute value, read as `serde_json::Value` reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrRef<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
    Json(&'a Value),
}

impl<'a> AttrRef<'a> {
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            AttrRef::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_u64(self) -> Option<u64> {
        match self {
            AttrRef::U64(n) => Some(n),
            AttrRef::I64(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }
    /// Any number, as `serde_json::Value::as_f64` reads one.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            AttrRef::F64(x) => Some(x),
            AttrRef::U64(n) => Some(n as f64),
            AttrRef::I64(n) => Some(n as f64),
            _ => None,
        }
    }
    pub fn as_bool(self) -> Option<bool> {
        match self {
            AttrRef::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_array(self) -> Option<&'a Vec<Value>> {
        match self {
            AttrRef::Json(v) => v.as_array(),
            _ => None,
        }
    }
    pub fn to_json(self) -> Value {
        match self {
            AttrRef::Null => Value::Null,
            AttrRef::Bool(b) => Value::Bool(b),
            AttrRef::U64(n) => Value::from(n),
            AttrRef::I64(n) => Value::from(n),
            AttrRef::F64(x) => Value::from(x),
            AttrRef::Str(s) => Value::from(s),
            AttrRef::Json(v) => v.clone(),
        }
    }
}

/// Tests compare attrs with `json!(…)`.
impl PartialEq<Value> for AttrRef<'_> {
    fn eq(&self, other: &Value) -> bool {
        match self {
            AttrRef::Json(v) => *v == other,
            s => s.to_json() == *other,
        }
    }
}

impl Serialize for AttrRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            AttrRef::Null => s.serialize_unit(),
            AttrRef::Bool(b) => s.serialize_bool(b),
            AttrRef::U64(n) => s.serialize_u64(n),
            AttrRef::I64(n) => s.serialize_i64(n),
            // As serde_json writes a `Value` float (a non-finite one is `null`).
            AttrRef::F64(x) => Value::from(x).serialize(s),
            AttrRef::Str(v) => s.serialize_str(v),
            AttrRef::Json(v) => v.serialize(s),
        }
    }
}

/// One stored field. The name sits in the padding after the tag, so every variant is 16
/// bytes; a string is boxed twice to keep its pointer thin (strings are rare in attrs, numbers
/// are not).
#[derive(Clone, Debug, PartialEq)]
enum Field {
    Null(Key),
    Bool(Key, bool),
    U64(Key, u64),
    I64(Key, i64),
    F64(Key, f64),
    Str(Key, Box<Box<str>>),
    Json(Key, Box<Value>),
}

impl Field {
    fn new(k: Key, v: AttrValue) -> Field {
        match v {
            AttrValue::Null => Field::Null(k),
            AttrValue::Bool(b) => Field::Bool(k, b),
            AttrValue::U64(n) => Field::U64(k, n),
            AttrValue::I64(n) => Field::I64(k, n),
            AttrValue::F64(x) => Field::F64(k, x),
            AttrValue::Str(s) => Field::Str(k, Box::new(s)),
            AttrValue::Json(v) => Field::Json(k, v),
        }
    }
    fn key(&self) -> Key {
        match *self {
            Field::Null(k)
            | Field::Bool(k, _)
            | Field::U64(k, _)
            | Field::I64(k, _)
            | Field::F64(k, _)
            | Field::Str(k, _)
            | Field::Json(k, _) => k,
        }
    }
    fn value(&self) -> AttrRef<'_> {
        match self {
            Field::Null(_) => AttrRef::Null,
            Field::Bool(_, b) => AttrRef::Bool(*b),
            Field::U64(_, n) => AttrRef::U64(*n),
            Field::I64(_, n) => AttrRef::I64(*n),
            Field::F64(_, x) => AttrRef::F64(*x),
            Field::Str(_, s) => AttrRef::Str(s),
            Field::Json(_, v) => AttrRef::Json(v),
        }
    }
}

/// An event's kind-specific fields, sorted by name (`events::contract` lists each kind's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs(Vec<Field>);

impl Attrs {
    pub fn new() -> Self {
        Attrs(Vec::new())
    }
    fn pos(&self, k: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|f| f.key().name().cmp(k))
    }
    pub fn get(&self, k: &str) -> Option<AttrRef<'_>> {
        self.pos(k).ok().map(|i| self.0[i].value())
    }
    /// `k`'s value as JSON (`null` when absent), as tests compare it.
    pub fn json(&self, k: &str) -> Value {
        self.get(k).map_or(Value::Null, AttrRef::to_json)
    }
    pub fn contains_key(&self, k: &str) -> bool {
        self.pos(k).is_ok()
    }
    /// Set `k` (replacing its value).
    pub fn insert(&mut self, k: &str, v: impl Into<AttrValue>) {
        let v = v.into();
        match self.pos(k) {
            Ok(i) => self.0[i] = Field::new(self.0[i].key(), v),
            Err(i) => self.0.insert(i, Field::new(Key::named(k), v)),
        }
    }
    /// `insert` for an interned key: no lookup in the shared index.
    pub fn insert_key(&mut self, k: Key, v: impl Into<AttrValue>) {
        let v = v.into();
        match self.pos(k.name()) {
            Ok(i) => self.0[i] = Field::new(k, v),
            Err(i) => self.0.insert(i, Field::new(k, v)),
        }
    }
    /// Set `k` unless it is already set.
    pub fn insert_absent(&mut self, k: &str, v: impl Into<AttrValue>) {
        if let Err(i) = self.pos(k) {
            self.0.insert(i, Field::new(Key::named(k), v.into()));
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, AttrRef<'_>)> {
        self.0.iter().map(|f| (f.key().name(), f.value()))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn reserve_exact(&mut self, n: usize) {
        self.0.reserve_exact(n);
    }
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Attrs read back from JSON (a Parquet file's `attrs` column), refused when their names
    /// would overflow the process's key table.
    pub fn from_json(m: serde_json::Map<String, Value>) -> Result<Attrs, String> {
        let mut a = Attrs::new();
        for (k, v) in m {
            let key = Key::of(&k)
                .ok_or_else(|| format!("more than {MAX_KEYS} distinct attribute names"))?;
            a.insert_key(key, v);
        }
        Ok(a)
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for f in &self.0 {
            m.serialize_entry(f.key().name(), &f.value())?;
        }
        m.end()
    }
}

impl schemars::JsonSchema for Attrs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "attrs".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Kind-specific typed fields (`events::contract` lists each kind's; patterns/README.md each rule's).",
            "type": "object",
            "propertyNames": { "pattern": "^[a-z][a-z0-9_]*$" },
        })
    }
}

impl FromIterator<(String, Value)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(it: I) -> Self {
        let mut a = Attrs::new();
        for (k, v) in it {
            a.insert(&k, v);
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_field_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Field>(), 16);
    }

    #[test]
    fn values_round_trip_through_json_sorted_by_name() {
        let src = json!({"z_list": [1, "a"], "u": 7, "i": -3, "f": 1.5, "f_whole": 2.0,
                         "s": "kernel", "b": true, "n": null});
        let Value::Object(m) = src.clone() else {
            unreachable!()
        };
        let a = Attrs::from_json(m).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"b":true,"f":1.5,"f_whole":2.0,"i":-3,"n":null,"s":"kernel","u":7,"z_list":[1,"a"]}"#
        );
        let get = |k| a.get(k).unwrap();
        assert_eq!(get("u").as_u64(), Some(7));
        assert_eq!(get("u").as_f64(), Some(7.0));
        assert_eq!(get("i").as_u64(), None);
        assert_eq!(get("s").as_str(), Some("kernel"));
        assert_eq!(get("z_list"), json!([1, "a"]));
        assert_eq!(a.json("missing"), Value::Null);
    }
}
