//! The HTTP client deliveries go out through: no redirects, no proxy, a timeout, and a resolver that
//! refuses names pointing inside the network (so a subscriber cannot aim us at a metadata
//! service or an internal host by changing its DNS after subscribing).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::WebhookSettings;
use crate::domain::webhooks::is_public;

struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

pub fn build(settings: &WebhookSettings) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        // Through a proxy the resolver below would never see the receiver's name.
        .no_proxy()
        .user_agent(concat!(
            "community-assets-webhooks/",
            env!("CARGO_PKG_VERSION")
        ));
    if !settings.allow_private {
        builder = builder.dns_resolver(PublicOnly);
    }
    Ok(builder.build()?)
}
