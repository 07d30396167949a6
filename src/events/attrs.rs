//! An event's kind-specific fields, stored small: the evidence of an OOM storm is hundreds of
//! thousands of kills with nine numbers each, and `serde_json::Value` (32 bytes, plus a
//! 16-byte key) made attrs the largest part of an event. Here a field is 32 bytes: a 2-byte
//! interned name and a 24-byte value whose scalars are inline; arrays and objects (an OOM
//! report's task summary) keep their JSON form behind a box.
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

/// One field's value: JSON's scalars inline, anything else as JSON.
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

impl AttrValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            AttrValue::U64(n) => Some(n),
            AttrValue::I64(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            AttrValue::I64(n) => Some(n),
            AttrValue::U64(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }
    /// Any number, as `serde_json::Value::as_f64` reads one.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            AttrValue::F64(x) => Some(x),
            AttrValue::U64(n) => Some(n as f64),
            AttrValue::I64(n) => Some(n as f64),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            AttrValue::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            AttrValue::Json(v) => v.as_array(),
            _ => None,
        }
    }
    pub fn to_json(&self) -> Value {
        match self {
            AttrValue::Null => Value::Null,
            AttrValue::Bool(b) => Value::Bool(*b),
            AttrValue::U64(n) => Value::from(*n),
            AttrValue::I64(n) => Value::from(*n),
            AttrValue::F64(x) => Value::from(*x),
            AttrValue::Str(s) => Value::from(&**s),
            AttrValue::Json(v) => (**v).clone(),
        }
    }
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

impl From<&AttrValue> for Value {
    fn from(v: &AttrValue) -> Value {
        v.to_json()
    }
}

/// Tests compare attrs with `json!(…)`.
impl PartialEq<Value> for AttrValue {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (AttrValue::Json(v), o) => **v == *o,
            (s, o) => s.to_json() == *o,
        }
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AttrValue::Null => s.serialize_unit(),
            AttrValue::Bool(b) => s.serialize_bool(*b),
            AttrValue::U64(n) => s.serialize_u64(*n),
            AttrValue::I64(n) => s.serialize_i64(*n),
            // As serde_json writes a `Value` float (a non-finite one is `null`).
            AttrValue::F64(x) => Value::from(*x).serialize(s),
            AttrValue::Str(v) => s.serialize_str(v),
            AttrValue::Json(v) => v.serialize(s),
        }
    }
}

/// An event's kind-specific fields, sorted by name (`events::contract` lists each kind's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs(Vec<(Key, AttrValue)>);

impl Attrs {
    pub fn new() -> Self {
        Attrs(Vec::new())
    }
    fn pos(&self, k: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| x.name().cmp(k))
    }
    pub fn get(&self, k: &str) -> Option<&AttrValue> {
        self.pos(k).ok().map(|i| &self.0[i].1)
    }
    pub fn contains_key(&self, k: &str) -> bool {
        self.pos(k).is_ok()
    }
    /// Set `k` (replacing its value).
    pub fn insert(&mut self, k: &str, v: impl Into<AttrValue>) {
        let v = v.into();
        match self.pos(k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (Key::named(k), v)),
        }
    }
    /// `insert` for an interned key: no lookup in the shared index.
    pub fn insert_key(&mut self, k: Key, v: impl Into<AttrValue>) {
        let v = v.into();
        match self.pos(k.name()) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }
    /// Set `k` unless it is already set.
    pub fn insert_absent(&mut self, k: &str, v: impl Into<AttrValue>) {
        if let Err(i) = self.pos(k) {
            self.0.insert(i, (Key::named(k), v.into()));
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.name(), v))
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

impl std::ops::Index<&str> for Attrs {
    type Output = AttrValue;
    /// `Null` for a missing key, as `serde_json::Value` indexes.
    fn index(&self, k: &str) -> &AttrValue {
        static NULL: AttrValue = AttrValue::Null;
        self.get(k).unwrap_or(&NULL)
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.name(), v)?;
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
    fn a_field_is_32_bytes() {
        assert_eq!(std::mem::size_of::<(Key, AttrValue)>(), 32);
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
        assert_eq!(a["u"].as_u64(), Some(7));
        assert_eq!(a["u"].as_f64(), Some(7.0));
        assert_eq!(a["i"].as_u64(), None);
        assert_eq!(a["s"].as_str(), Some("kernel"));
        assert_eq!(a["z_list"], json!([1, "a"]));
        assert_eq!(a["missing"], AttrValue::Null);
    }
}
