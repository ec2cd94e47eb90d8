//! Reads a parsed JSON value into a Rust type by the rules of JSON Schema, which is what the
//! OpenAPI document promises clients, rather than by serde's looser ones:
//! - an object is required wherever a struct is expected (serde would also fill a struct from an
//!   array, positionally, so `[null, null]` could clear an organisation's fields);
//! - a number with no fractional part is an integer (`300.0` is a valid `amount_pence`).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Number, Value};

/// Largest float that is still an exact integer, 2^53.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

pub struct Strict<'a>(pub &'a Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match n.as_f64() {
            Some(f) => Unexpected::Float(f),
            None => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(u) = n.as_u64() {
        return visitor.visit_u64(u);
    }
    if let Some(i) = n.as_i64() {
        return visitor.visit_i64(i);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < EXACT_INTEGER => {
            if f >= 0.0 {
                visitor.visit_u64(f as u64)
            } else {
                visitor.visit_i64(f as i64)
            }
        }
        Some(f) => visitor.visit_f64(f),
        None => Err(de::Error::custom("number out of range")),
    }
}

impl<'de> Deserializer<'de> for Strict<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Fields {
                iter: map.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(other), &"an object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|value| seed.deserialize(Strict(value)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(Strict(value)),
            None => Err(de::Error::custom("a value was asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Point {
        lat: f64,
        lon: f64,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        pence: Option<i32>,
        #[serde(default)]
        at: Option<Point>,
        #[serde(default)]
        tags: Vec<String>,
    }

    fn read(value: Value) -> Result<Body, Error> {
        Body::deserialize(Strict(&value))
    }

    #[test]
    fn objects_are_read_as_structs() {
        let body = read(json!({"name": "Choir", "pence": 300, "at": {"lat": 53.4, "lon": -2.3}, "tags": ["singing"]}))
            .unwrap();
        assert_eq!(
            body.at,
            Some(Point {
                lat: 53.4,
                lon: -2.3
            })
        );
        assert_eq!(body.tags, ["singing"]);
    }

    #[test]
    fn arrays_are_not_read_as_structs() {
        assert!(read(json!([null, null])).is_err());
        assert!(read(json!({"at": [53.4, -2.3]})).is_err());
        assert!(
            serde_json::from_value::<Body>(json!([null, null])).is_ok(),
            "serde alone would"
        );
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_not() {
        assert_eq!(read(json!({"pence": 300.0})).unwrap().pence, Some(300));
        assert!(read(json!({"pence": 300.5})).is_err());
        assert!(
            read(json!({"pence": 1e12})).is_err(),
            "out of range for i32"
        );
        assert_eq!(
            read(json!({"at": {"lat": 53, "lon": -2}})).unwrap().at,
            Some(Point {
                lat: 53.0,
                lon: -2.0
            })
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_still_errors() {
        assert!(read(json!({"nmae": "x"})).is_err());
        assert!(read(json!({"at": {"lat": 53}})).is_err());
    }
}
