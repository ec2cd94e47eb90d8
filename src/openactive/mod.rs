//! OpenActive (openactive.io): the open activity data of England's leisure operators, clubs
//! and booking systems. `rpde` reads a feed page (Realtime Paged Data Exchange 1.0), `read`
//! maps an opportunity and its sessions onto our submission, `publish` writes our listings
//! back out as an OpenActive feed. See docs/openactive.md.

pub mod publish;
pub mod read;
pub mod rpde;
pub mod synthetic;
