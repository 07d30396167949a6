//! An event's kind-specific fields, stored small: the evidence of an OOM storm is hundreds of
//! thousands of kills with eight fields each, and `serde_json::Value` (32 bytes, plus a 16-byte
//! key, plus a vector's growth) made attrs the largest part of an event. Here the fields are one
//! byte string: per field a 2-byte interned name, a 1-byte type tag and the value (integers as
//! varints, strings inline); an OOM kill's eight fields take 48 bytes instead of ~400. Arrays
//! and objects (an OOM report's task summary, a handful of events) stay `serde_json::Value`s
//! beside the bytes. Reads go through `AttrRef`, a borrowed view with `Value`'s accessors; a
//! write re-encodes the few fields (the rules build each event's fields once, `from_fields`).
//!
//! Fields are sorted by name, so the JSON is written in a stable order (golden files rely on
//! it).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, OnceLock};

/// Most distinct attribute names one process can hold. Rules declare tens.
pub const MAX_KEYS: usize = 1 << 16;
/// Names a Parquet file read back (`input::parquet`) may add: the rest of the table stays free
/// for the rules and the code, whose `Key::named` can then never find it full.
pub const MAX_INPUT_KEYS: usize = MAX_KEYS - 4096;

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
    /// The key named `s`, interned on first use; `None` when that would make more than
    /// `limit` names.
    fn intern(s: &str, limit: usize) -> Option<Key> {
        let mut idx = index().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = idx.get(s) {
            return Some(*k);
        }
        let n = idx.len();
        if n >= limit {
            return None;
        }
        let name = super::key(s);
        NAMES[n].store(Box::leak(Box::new(name)), Ordering::Release);
        let k = Key(n as u16);
        idx.insert(name, k);
        Some(k)
    }

    /// A name of the rules or the code. They are few, and input never takes the last 4096
    /// slots (`MAX_INPUT_KEYS`).
    pub fn named(s: &str) -> Key {
        Key::intern(s, MAX_KEYS).expect("rules and code name far fewer than 4096 attributes")
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

/// An event's kind-specific fields, sorted by name (`events::contract` lists each kind's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs {
    bytes: Box<[u8]>,
    json: Box<[Value]>,
}

const T_NULL: u8 = 0;
const T_FALSE: u8 = 1;
const T_TRUE: u8 = 2;
const T_U64: u8 = 3;
const T_I64: u8 = 4;
const T_F64: u8 = 5;
const T_STR: u8 = 6;
const T_JSON: u8 = 7;

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint at `b[*at..]`; the bytes are only ever `put_varint`'s.
fn varint(b: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*at];
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// The fields of `Attrs`, decoded one by one.
struct Fields<'a> {
    a: &'a Attrs,
    at: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (Key, AttrRef<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let b = &*self.a.bytes;
        if self.at >= b.len() {
            return None;
        }
        let key = Key(u16::from_le_bytes([b[self.at], b[self.at + 1]]));
        let tag = b[self.at + 2];
        self.at += 3;
        let v = match tag {
            T_NULL => AttrRef::Null,
            T_FALSE => AttrRef::Bool(false),
            T_TRUE => AttrRef::Bool(true),
            T_U64 => AttrRef::U64(varint(b, &mut self.at)),
            T_I64 => {
                let z = varint(b, &mut self.at);
                AttrRef::I64(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            T_F64 => {
                let mut x = [0u8; 8];
                x.copy_from_slice(&b[self.at..self.at + 8]);
                self.at += 8;
                AttrRef::F64(f64::from_le_bytes(x))
            }
            T_STR => {
                let n = varint(b, &mut self.at) as usize;
                let s = &b[self.at..self.at + n];
                self.at += n;
                // Copied from a `str` whole by `encode`.
                AttrRef::Str(std::str::from_utf8(s).unwrap_or_default())
            }
            _ => AttrRef::Json(&self.a.json[varint(b, &mut self.at) as usize]),
        };
        Some((key, v))
    }
}

impl Attrs {
    pub fn new() -> Self {
        Attrs::default()
    }

    /// Attrs holding `fields` (a later value of one name replaces an earlier one).
    pub fn from_fields(mut fields: Vec<(Key, AttrValue)>) -> Attrs {
        // Stable: the last of equal names is the one kept.
        fields.sort_by(|a, b| a.0.name().cmp(b.0.name()));
        let mut out: Vec<(Key, AttrValue)> = Vec::with_capacity(fields.len());
        for f in fields {
            match out.last_mut() {
                Some(last) if last.0 == f.0 => *last = f,
                _ => out.push(f),
            }
        }
        Attrs::encode(out)
    }

    /// `fields`, already sorted by name and without repeats, as bytes.
    fn encode(fields: Vec<(Key, AttrValue)>) -> Attrs {
        let mut b = Vec::with_capacity(fields.len() * 6);
        let mut json = Vec::new();
        for (k, v) in fields {
            b.extend_from_slice(&k.0.to_le_bytes());
            match v {
                AttrValue::Null => b.push(T_NULL),
                AttrValue::Bool(false) => b.push(T_FALSE),
                AttrValue::Bool(true) => b.push(T_TRUE),
                AttrValue::U64(n) => {
                    b.push(T_U64);
                    put_varint(&mut b, n);
                }
                AttrValue::I64(n) => {
                    b.push(T_I64);
                    put_varint(&mut b, ((n << 1) ^ (n >> 63)) as u64);
                }
                AttrValue::F64(x) => {
                    b.push(T_F64);
                    b.extend_from_slice(&x.to_le_bytes());
                }
                AttrValue::Str(s) => {
                    b.push(T_STR);
                    put_varint(&mut b, s.len() as u64);
                    b.extend_from_slice(s.as_bytes());
                }
                AttrValue::Json(v) => {
                    b.push(T_JSON);
                    put_varint(&mut b, json.len() as u64);
                    json.push(*v);
                }
            }
        }
        Attrs {
            bytes: b.into_boxed_slice(),
            json: json.into_boxed_slice(),
        }
    }

    fn fields(&self) -> Fields<'_> {
        Fields { a: self, at: 0 }
    }

    /// Every field as an owned value, to change one and encode them again.
    fn owned(&self) -> Vec<(Key, AttrValue)> {
        self.fields()
            .map(|(k, v)| (k, AttrValue::from(v.to_json())))
            .collect()
    }

    pub fn get(&self, k: &str) -> Option<AttrRef<'_>> {
        self.fields()
            .find(|(key, _)| key.name() == k)
            .map(|(_, v)| v)
    }
    /// `get` by interned key: compares 2-byte ids, not names (the accessors' way).
    pub fn get_key(&self, k: Key) -> Option<AttrRef<'_>> {
        self.fields().find(|(key, _)| *key == k).map(|(_, v)| v)
    }
    /// `k`'s value as JSON (`null` when absent), as tests compare it.
    pub fn json(&self, k: &str) -> Value {
        self.get(k).map_or(Value::Null, AttrRef::to_json)
    }
    pub fn contains_key(&self, k: &str) -> bool {
        self.get(k).is_some()
    }
    /// Set `k` (replacing its value).
    pub fn insert(&mut self, k: &str, v: impl Into<AttrValue>) {
        self.insert_key(Key::named(k), v);
    }
    /// `insert` for an interned key: no lookup in the shared index.
    pub fn insert_key(&mut self, k: Key, v: impl Into<AttrValue>) {
        let mut f = self.owned();
        f.push((k, v.into()));
        *self = Attrs::from_fields(f);
    }
    /// Set `k` unless it is already set.
    pub fn insert_absent(&mut self, k: &str, v: impl Into<AttrValue>) {
        if !self.contains_key(k) {
            self.insert(k, v);
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, AttrRef<'_>)> {
        self.fields().map(|(k, v)| (k.name(), v))
    }
    pub fn len(&self) -> usize {
        self.fields().count()
    }
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Attrs read back from JSON (a Parquet file's `attrs` column), refused when their names
    /// would overflow the process's key table.
    pub fn from_json(m: serde_json::Map<String, Value>) -> Result<Attrs, String> {
        Attrs::from_json_within(m, MAX_INPUT_KEYS)
    }

    fn from_json_within(m: serde_json::Map<String, Value>, limit: usize) -> Result<Attrs, String> {
        let mut f = Vec::with_capacity(m.len());
        for (k, v) in m {
            let key = Key::intern(&k, limit)
                .ok_or_else(|| format!("more than {limit} distinct attribute names"))?;
            f.push((key, AttrValue::from(v)));
        }
        Ok(Attrs::from_fields(f))
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.fields() {
            m.serialize_entry(k.name(), &v)?;
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
        Attrs::from_fields(
            it.into_iter()
                .map(|(k, v)| (Key::named(&k), AttrValue::from(v)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_oom_kills_fields_take_a_few_bytes_each() {
        let a: Attrs = [
            ("total_vm_kb", json!(2541629u64)),
            ("anon_rss_kb", json!(2217934u64)),
            ("file_rss_kb", json!(0u64)),
            ("shmem_rss_kb", json!(404u64)),
            ("uid", json!(1000u64)),
            ("pgtables_kb", json!(4464u64)),
            ("oom_score_adj", json!(-1000i64)),
            ("killer", json!("kernel")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // Eight 3-byte headers, 4 + 4 + 1 + 2 + 2 + 2 + 2 bytes of varints, 1 + 6 of string.
        assert_eq!(a.bytes.len(), 48);
        assert_eq!(a.get("oom_score_adj").unwrap().as_f64(), Some(-1000.0));
        assert_eq!(a.get("anon_rss_kb").unwrap().as_u64(), Some(2217934));
        assert_eq!(std::mem::size_of::<Attrs>(), 32);
    }

    #[test]
    fn input_past_its_share_of_names_is_refused_and_the_rules_still_get_theirs() {
        let used = index().lock().unwrap().len();
        let m: serde_json::Map<String, Value> =
            (0..10).map(|i| (format!("flood_{i}"), json!(i))).collect();
        assert_eq!(
            Attrs::from_json_within(m, used + 5).unwrap_err(),
            format!("more than {} distinct attribute names", used + 5)
        );
        assert_eq!(Key::named("after_the_flood").name(), "after_the_flood");
    }

    #[test]
    fn a_write_replaces_or_adds_in_name_order() {
        let mut a = Attrs::new();
        a.insert("b", json!(1));
        a.insert("a", json!("x"));
        a.insert("b", json!([2]));
        a.insert_absent("a", json!("y"));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"a":"x","b":[2]}"#);
        assert_eq!(a.len(), 2);
        assert_eq!(i64::MIN, {
            a.insert("m", json!(i64::MIN));
            a.json("m").as_i64().unwrap()
        });
    }

    #[test]
    fn values_round_trip_through_json_sorted_by_name() {
        let src = json!({"z_list": [1, "a"], "u": 7, "i": -3, "f": 1.5, "f_whole": 2.0,
                         "s": "kernel", "long": "CONSTRAINT_NONE", "b": true, "n": null});
        let Value::Object(m) = src.clone() else {
            unreachable!()
        };
        let a = Attrs::from_json(m).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"b":true,"f":1.5,"f_whole":2.0,"i":-3,"long":"CONSTRAINT_NONE","n":null,"s":"kernel","u":7,"z_list":[1,"a"]}"#
        );
        let get = |k| a.get(k).unwrap();
        assert_eq!(get("u").as_u64(), Some(7));
        assert_eq!(get("u").as_f64(), Some(7.0));
        assert_eq!(get("i").as_u64(), None);
        assert_eq!(get("s").as_str(), Some("kernel"));
        assert_eq!(get("long").as_str(), Some("CONSTRAINT_NONE"));
        assert_eq!(get("z_list"), json!([1, "a"]));
        assert_eq!(a.json("missing"), Value::Null);
        // Seven bytes inline, eight boxed: either way the same str comes back.
        for v in ["né…", "SIGKILL", "SIGKILL!"] {
            let mut b = Attrs::new();
            b.insert("x", Value::from(v));
            assert_eq!(b.get("x").unwrap().as_str(), Some(v));
        }
    }
}
