//! Matching one person to assets, as plain functions: the request and its limits, travel
//! estimates, hard constraints, soft scores, variety, near misses and the sentences that explain
//! each result. The data layer only supplies candidates; every decision is made here.

pub mod candidate;
pub mod constraints;
pub mod diversify;
pub mod explain;
pub mod interests;
pub mod lexicon;
pub mod near_miss;
pub mod request;
pub mod schedule_fit;
pub mod score;
pub mod travel;
