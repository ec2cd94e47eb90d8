//! Reading other directories' data: an ORUK feed over HTTP (`feed`) and the CSV template for
//! agencies without an API client (`csv`). Both yield `oruk::read::ImportRecord`s, which
//! `services::imports` validates and stores.

pub mod csv;
pub mod feed;
