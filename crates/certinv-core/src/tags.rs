//! A resource's tags: one value per key, in key order, serialised as a JSON
//! object. Kept as a sorted vector rather than a map because tags are few per
//! certificate and certificates are many: a B-tree node per certificate cost
//! half a kilobyte each, 780 MB across a million-certificate snapshot.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Text;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<(Text, Text)>);

impl Tags {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|i| self.0[i].1.as_str())
    }

    /// Set `key`, returning the value it replaces (as a map's `insert` does).
    pub fn insert(&mut self, key: Text, value: Text) -> Option<Text> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

impl<K: Into<Text>, V: Into<Text>> FromIterator<(K, V)> for Tags {
    /// Later pairs win over earlier ones with the same key, as in a map.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut tags: Vec<(Text, Text)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        // Stable, so among equal keys the last one given is the last one here.
        tags.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Text, Text)> = Vec::with_capacity(tags.len());
        for pair in tags {
            match out.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => out.push(pair),
            }
        }
        Tags(out)
    }
}

impl Serialize for Tags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TagsVisitor;
        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = Tags;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of tag keys and string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry::<Text, Text>()? {
                    pairs.push(pair);
                }
                Ok(pairs.into_iter().collect())
            }
        }
        d.deserialize_map(TagsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_map_in_key_order() {
        let mut tags: Tags = [("b", "1"), ("a", "2"), ("b", "3")].into_iter().collect();
        assert_eq!(tags.get("b"), Some("3"));
        assert_eq!(tags.insert("c".into(), "4".into()), None);
        assert_eq!(tags.insert("a".into(), "5".into()), Some("2".into()));
        assert_eq!(tags.get("zz"), None);
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            r#"{"a":"5","b":"3","c":"4"}"#
        );
        assert_eq!(tags.len(), 3);
    }

    #[test]
    fn reads_an_object_in_any_order_and_keeps_the_last_duplicate() {
        let tags: Tags = serde_json::from_str(r#"{"z":"1","a":"2","z":"3"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            r#"{"a":"2","z":"3"}"#
        );
        assert!(serde_json::from_str::<Tags>(r#"{"a":1}"#).is_err());
    }
}
