//! [`Name`]: an immutable, cheaply shared string for the identifiers a model repeats on
//! many rows (supplier ids, mineral names, country codes, group tags). Reports hold one
//! row per offer and per expanded policy row; sharing the name is a reference-count
//! increment instead of an allocation per row.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable shared string; compares, orders, hashes and serializes as its text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Name(Arc<str>);

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(Arc::from(s))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(Arc::from(s))
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_its_text() {
        let a = Name::from("Côte");
        let b = a.clone();
        assert_eq!(a, b);
        assert!(a == "Côte");
        assert!("Côte" == a);
        assert!(a == *"Côte");
        let owned = String::from("Côte");
        assert!(a == owned);
        assert!(owned == a);
        let (aus, chn) = (Name::from("AUS"), Name::from("CHN"));
        assert!(aus < chn);
        assert_eq!(format!("{a} {a:?}"), "Côte \"Côte\"");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"Côte\"");
        let set: std::collections::BTreeSet<Name> = [b].into();
        assert!(set.contains("Côte"));
    }
}
