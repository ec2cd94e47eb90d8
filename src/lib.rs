//! community-assets: a geospatial directory of community assets that link workers search and
//! match people to. The binary in `main.rs` is a thin CLI over the modules here.

pub mod api;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod bootstrap;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod geocoder;
pub mod import;
pub mod local_cluster;
pub mod middleware;
pub mod openactive;
pub mod openapi;
pub mod oruk;
pub mod outbound;
pub mod page;
pub mod seed;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod webhooks;
