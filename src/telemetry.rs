//! Logging. Request bodies are never logged: a match request can describe a person's health.
//!
//! Some libraries log what passes through them at debug and trace level: the database driver
//! every statement's parameters (a matched person's interests, place and age; new secrets), the
//! HTTP client the URLs it fetches (a geocoded postcode). Those targets are held at `info`
//! whatever `CA_LOG` asks for, so no log level can reveal them.

use tracing::Level;
use tracing::Metadata;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Libraries whose debug and trace output can carry request content.
const QUIET_TARGETS: [&str; 10] = [
    "tokio_postgres",
    "postgres_protocol",
    "diesel",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "actix_http",
    "actix_server",
];

/// Whether an event or span may be logged at all.
pub fn allowed(metadata: &Metadata<'_>) -> bool {
    let target = metadata.target();
    let quiet = QUIET_TARGETS.iter().any(|t| {
        target
            .strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    });
    !quiet || *metadata.level() <= Level::INFO
}

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_env("CA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let layer = if json {
        fmt.json().boxed()
    } else {
        fmt.boxed()
    };
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter).with_filter(filter_fn(allowed)))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_and_client_chatter_stops_at_info() {
        use tracing::callsite::Identifier;
        use tracing::field::FieldSet;
        use tracing::metadata::Kind;
        struct Site;
        impl tracing::callsite::Callsite for Site {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unimplemented!()
            }
        }
        static SITE: Site = Site;
        let meta = |target: &'static str, level: Level| {
            Metadata::new(
                "event",
                target,
                level,
                None,
                None,
                None,
                FieldSet::new(&[], Identifier(&SITE)),
                Kind::EVENT,
            )
        };
        assert!(!allowed(&meta("tokio_postgres::query", Level::DEBUG)));
        assert!(!allowed(&meta("tokio_postgres", Level::TRACE)));
        assert!(!allowed(&meta("reqwest::async_impl::client", Level::DEBUG)));
        assert!(allowed(&meta("tokio_postgres::connection", Level::INFO)));
        assert!(allowed(&meta("tokio_postgres", Level::WARN)));
        assert!(allowed(&meta("community_assets::services", Level::TRACE)));
        assert!(
            allowed(&meta("hyperion", Level::DEBUG)),
            "a prefix of a name is not the name"
        );
    }
}
