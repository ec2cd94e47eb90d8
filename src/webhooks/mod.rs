//! Sending webhooks: a background dispatcher in every `serve` process moves asset changes from
//! the outbox into deliveries for the subscriptions they pass, and sends the deliveries that are
//! due, signed, through a client that will not call inside the network.

pub mod client;
pub mod dispatcher;

use std::time::Duration;

use crate::domain::webhooks::{PausePolicy, RetryPolicy};

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Deliveries in flight at once in this process (0: this process sends none).
    pub concurrency: usize,
    /// How often to look for new changes and due deliveries when idle.
    pub poll: Duration,
    /// Longest wait for a receiver's answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub pause: PausePolicy,
    /// Allow `http://` and internal addresses (development and tests only).
    pub allow_private: bool,
    /// Days to keep finished deliveries in the log.
    pub keep_days: i32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            concurrency: 16,
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            pause: PausePolicy::default(),
            allow_private: false,
            keep_days: 30,
        }
    }
}
