//! [`KeyMap`]: text keys (preview keys such as `orders.0.penalty`) to values, kept as two lists
//! in key order.
//!
//! It iterates, compares and serialises as a `BTreeMap<String, V>` would: keys in byte order,
//! one value per key, a JSON object. The maps the journey builds are small (a preview has a few
//! figures per product line) and are built once per keystroke at most, so a sorted list is as
//! fast; and in the browser one search over the keys, not generic, serves every value type,
//! where each `BTreeMap<String, V>` compiled a B-tree of its own (docs/bytes.md).

use core::fmt;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Keys in byte order and their values, `keys[i]` ↦ `values[i]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyMap<V> {
    keys: Vec<String>,
    values: Vec<V>,
}

/// Where `key` is in `keys` (sorted), or where it would go.
#[inline(never)]
fn search(keys: &[String], key: &str) -> Result<usize, usize> {
    keys.binary_search_by(|k| k.as_str().cmp(key))
}

impl<V> KeyMap<V> {
    pub const fn new() -> KeyMap<V> {
        KeyMap {
            keys: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        search(&self.keys, key).ok().map(|i| &self.values[i])
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        search(&self.keys, key).ok().map(|i| &mut self.values[i])
    }

    pub fn contains_key(&self, key: &str) -> bool {
        search(&self.keys, key).is_ok()
    }

    /// Sets the value of `key`; gives the value it replaced, if any.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match search(&self.keys, &key) {
            Ok(i) => Some(core::mem::replace(&mut self.values[i], value)),
            Err(i) => {
                self.keys.insert(i, key);
                self.values.insert(i, value);
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = search(&self.keys, key).ok()?;
        self.keys.remove(i);
        Some(self.values.remove(i))
    }

    /// The value of `key`, made by `make` and inserted if there was none.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let i = match search(&self.keys, key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key.to_owned());
                self.values.insert(i, make());
                i
            }
        };
        &mut self.values[i]
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
    }

    /// Keys and values, in key order.
    pub fn iter(&self) -> Iter<'_, V> {
        self.keys.iter().zip(self.values.iter())
    }

    pub fn keys(&self) -> core::slice::Iter<'_, String> {
        self.keys.iter()
    }

    pub fn values(&self) -> core::slice::Iter<'_, V> {
        self.values.iter()
    }
}

/// [`KeyMap::iter`].
pub type Iter<'a, V> = core::iter::Zip<core::slice::Iter<'a, String>, core::slice::Iter<'a, V>>;

impl<V> Default for KeyMap<V> {
    fn default() -> KeyMap<V> {
        KeyMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for KeyMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, V> IntoIterator for &'a KeyMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> IntoIterator for KeyMap<V> {
    type Item = (String, V);
    type IntoIter = core::iter::Zip<std::vec::IntoIter<String>, std::vec::IntoIter<V>>;
    fn into_iter(self) -> Self::IntoIter {
        self.keys.into_iter().zip(self.values)
    }
}

/// As `BTreeMap::extend`: a later value for a key replaces an earlier one.
impl<V> Extend<(String, V)> for KeyMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, entries: I) {
        for (key, value) in entries {
            self.insert(key, value);
        }
    }
}

impl<V> FromIterator<(String, V)> for KeyMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(entries: I) -> KeyMap<V> {
        let mut map = KeyMap::new();
        map.extend(entries);
        map
    }
}

impl<V, const N: usize> From<[(String, V); N]> for KeyMap<V> {
    fn from(entries: [(String, V); N]) -> KeyMap<V> {
        entries.into_iter().collect()
    }
}

impl<V> From<BTreeMap<String, V>> for KeyMap<V> {
    fn from(map: BTreeMap<String, V>) -> KeyMap<V> {
        let (keys, values) = map.into_iter().unzip();
        KeyMap { keys, values }
    }
}

impl<V> From<KeyMap<V>> for BTreeMap<String, V> {
    fn from(map: KeyMap<V>) -> BTreeMap<String, V> {
        map.into_iter().collect()
    }
}

/// A set of text keys (field paths), in byte order: a [`KeyMap`] without values.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct KeySet(KeyMap<()>);

impl KeySet {
    pub const fn new() -> KeySet {
        KeySet(KeyMap::new())
    }

    /// Adds `key`; whether it was not there yet.
    pub fn insert(&mut self, key: String) -> bool {
        self.0.insert(key, ()).is_none()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Takes `key` out; whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        self.0.remove(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys, in order.
    pub fn iter(&self) -> core::slice::Iter<'_, String> {
        self.0.keys()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a KeySet {
    type Item = &'a String;
    type IntoIter = core::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl IntoIterator for KeySet {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.keys.into_iter()
    }
}

impl Extend<String> for KeySet {
    fn extend<I: IntoIterator<Item = String>>(&mut self, keys: I) {
        for key in keys {
            self.insert(key);
        }
    }
}

impl FromIterator<String> for KeySet {
    fn from_iter<I: IntoIterator<Item = String>>(keys: I) -> KeySet {
        let mut set = KeySet::new();
        set.extend(keys);
        set
    }
}

/// A JSON object, keys in order.
impl<V: Serialize> Serialize for KeyMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// As a `BTreeMap<String, V>` reads it (a repeated key keeps its last value).
impl<'de, V: Deserialize<'de>> Deserialize<'de> for KeyMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, V>::deserialize(deserializer).map(KeyMap::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Insert(String, u8),
        Remove(String),
    }

    /// Keys from a small alphabet, so that steps meet the same keys; byte order across
    /// lengths, prefixes and non-ASCII (`orders.10` before `orders.2`, as a `BTreeMap` has it).
    fn key() -> impl Strategy<Value = String> {
        proptest::string::string_regex("(orders\\.|合计|a|b|)[0-9]{0,2}").unwrap()
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (key(), any::<u8>()).prop_map(|(k, v)| Step::Insert(k, v)),
            key().prop_map(Step::Remove),
        ]
    }

    proptest! {
        /// Every answer, the order and the JSON are a `BTreeMap<String, _>`'s, step by step.
        #[test]
        fn behaves_as_a_btree_map(steps in proptest::collection::vec(step(), 0..60)) {
            let mut ours = KeyMap::new();
            let mut theirs = BTreeMap::new();
            for step in steps {
                match step {
                    Step::Insert(k, v) => {
                        prop_assert_eq!(ours.insert(k.clone(), v), theirs.insert(k, v));
                    }
                    Step::Remove(k) => {
                        prop_assert_eq!(ours.remove(&k), theirs.remove(&k));
                        prop_assert_eq!(ours.get(&k), None);
                    }
                }
                prop_assert_eq!(ours.len(), theirs.len());
                prop_assert_eq!(ours.is_empty(), theirs.is_empty());
                prop_assert!(ours.iter().eq(theirs.iter()));
                for k in theirs.keys() {
                    prop_assert_eq!(ours.get(k), theirs.get(k));
                    prop_assert!(ours.contains_key(k));
                }
                prop_assert_eq!(
                    serde_json::to_string(&ours).unwrap(),
                    serde_json::to_string(&theirs).unwrap()
                );
                prop_assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            }
            let json = serde_json::to_string(&theirs).unwrap();
            let read: KeyMap<u8> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&read, &ours);
            prop_assert!(ours.clone().into_iter().eq(theirs.clone()));
            prop_assert_eq!(BTreeMap::from(ours), theirs);
        }
    }

    proptest! {
        /// A `KeySet` answers as a `BTreeSet<String>` does, step by step.
        #[test]
        fn a_key_set_behaves_as_a_btree_set(steps in proptest::collection::vec(step(), 0..60)) {
            let mut ours = KeySet::new();
            let mut theirs = std::collections::BTreeSet::new();
            for step in steps {
                match step {
                    Step::Insert(k, _) => prop_assert_eq!(ours.insert(k.clone()), theirs.insert(k)),
                    Step::Remove(k) => prop_assert_eq!(ours.remove(&k), theirs.remove(&k)),
                }
                prop_assert_eq!(ours.len(), theirs.len());
                prop_assert!(ours.iter().eq(theirs.iter()));
                for k in &theirs {
                    prop_assert!(ours.contains(k));
                }
                prop_assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            }
            prop_assert!(ours.into_iter().eq(theirs));
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_serde_reads_a_btree_map() {
        let read: KeyMap<u8> = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(
            read,
            KeyMap::from([("a".to_owned(), 2), ("b".to_owned(), 3)])
        );
        let collected: KeyMap<u8> = [("b".to_owned(), 1), ("b".to_owned(), 3)]
            .into_iter()
            .collect();
        assert_eq!(collected.get("b"), Some(&3));
        assert_eq!(collected.len(), 1);
    }
}
