//! Outbound HTTP to URLs that come from outside (webhook receivers, feeds to import): only to
//! public addresses, checked when the name is resolved for each connection (so a host cannot
//! point its name inside our network after it was accepted) and on every redirect, and never
//! through a proxy (which would resolve the name where we cannot see it).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::address::is_public;

/// A resolver that answers only with public addresses.
pub struct PublicOnly;

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

/// A client builder for URLs from outside: public addresses only unless `allow_private`
/// (development and tests), no proxy.
pub fn builder(allow_private: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder().no_proxy();
    if allow_private {
        builder
    } else {
        builder.dns_resolver(PublicOnly)
    }
}
