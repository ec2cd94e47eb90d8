//! Open Referral UK (HSDS 3.0 profile): the objects our feed publishes (`model`), how our
//! records become them (`publish`), how another directory's ORUK 3.0 or 1.0 records become our
//! submissions (`read`), and the taxonomies that carry what HSDS has no field for (`taxonomy`).

pub mod model;
pub mod publish;
pub mod read;
pub mod taxonomy;
