//! HTTP API tests: each test gets its own database cloned from the migrated template that
//! `scripts/test` prepares, and the real server on a free port.

mod assets;
mod audience;
mod audit;
mod backup;
mod bootstrap;
mod calendar;
mod changes;
mod coverage;
mod evaluation;
mod external_ids;
mod faults;
mod freshness;
mod hardening;
mod helpers;
mod hostile;
mod imports;
mod keys;
mod machine_output;
mod matching;
mod moderation;
mod ogc;
mod openapi;
mod organizations;
mod oruk;
mod paging;
mod phrases;
mod postcodes;
mod privacy;
mod referrals;
mod search;
mod seed;
mod shutdown;
mod tls;
mod validation;
mod webhooks;
