//! The HTTP client deliveries go out through: no redirects, no proxy, a timeout, and (unless
//! private URLs are allowed) a resolver that refuses names pointing inside the network, so a
//! subscriber cannot aim us at a metadata service or an internal host by changing its DNS after
//! subscribing.

use super::WebhookSettings;

pub fn build(settings: &WebhookSettings) -> anyhow::Result<reqwest::Client> {
    Ok(crate::outbound::builder(settings.allow_private)
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "community-assets-webhooks/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()?)
}
