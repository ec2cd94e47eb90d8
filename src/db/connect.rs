//! Opening connections to PostgreSQL, encrypted when the URL asks for it.
//!
//! The async driver on its own speaks only plain TCP, so a managed server that insists on TLS
//! (Amazon RDS, Azure flexible server) refused it. `sslmode` in the URL now means what it means
//! to libpq for the modes that ask for encryption:
//!
//! - `require`: encrypted; the certificate is not checked, unless `sslrootcert` names a file,
//!   in which case it must chain to it (libpq's rule);
//! - `verify-ca`: encrypted, and the certificate must chain to a trusted root;
//! - `verify-full`: as `verify-ca`, and the certificate must also name the host.
//!
//! `sslrootcert` is a PEM file of the roots to trust, or `system` (the default) for the
//! operating system's store. `disable`, `prefer` and no `sslmode` connect as before: plain.

use std::sync::Arc;

use diesel::ConnectionError;
use diesel::ConnectionResult;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::error::with_causes;

/// How a connection is to be secured, read from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    Plain,
    Tls {
        check: Check,
        roots: Roots,
        /// The URL to hand to the driver: `sslmode=require`, our own options removed.
        driver_url: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Nothing,
    Chain,
    ChainAndHost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    System,
    File(String),
}

/// Reads `sslmode` and `sslrootcert` from a `postgres://` URL. A URL in the `key=value` form
/// is left to the driver as it is.
pub fn security(database_url: &str) -> Result<Security, String> {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return Ok(Security::Plain);
    };
    let mut mode = None;
    let mut root_file = None;
    let mut kept = Vec::new();
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "sslmode" => mode = Some(value.into_owned()),
            "sslrootcert" => root_file = Some(value.into_owned()),
            _ => kept.push((key.into_owned(), value.into_owned())),
        }
    }
    let roots = match root_file.as_deref() {
        None | Some("system") => Roots::System,
        Some(path) => Roots::File(path.to_string()),
    };
    let check = match mode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => return Ok(Security::Plain),
        Some("require") if roots == Roots::System => Check::Nothing,
        Some("require" | "verify-ca") => Check::Chain,
        Some("verify-full") => Check::ChainAndHost,
        Some(other) => {
            return Err(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    kept.push(("sslmode".into(), "require".into()));
    url.query_pairs_mut().clear().extend_pairs(kept);
    Ok(Security::Tls {
        check,
        roots,
        driver_url: url.into(),
    })
}

/// Opens one connection as the URL asks. Used by the pools and by every one-off connection.
pub async fn establish(database_url: &str) -> ConnectionResult<AsyncPgConnection> {
    match security(database_url).map_err(ConnectionError::BadConnection)? {
        Security::Plain => AsyncPgConnection::establish(database_url).await,
        Security::Tls {
            check,
            roots,
            driver_url,
        } => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(client_config(check, &roots)?);
            let (client, connection) = tokio_postgres::connect(&driver_url, tls)
                .await
                // The driver's message names only the step that failed ("error performing TLS
                // handshake"); the reason (an unknown issuer, a name mismatch) is in its sources.
                .map_err(|e| ConnectionError::BadConnection(with_causes(&e)))?;
            AsyncPgConnection::try_from_client_and_connection(client, connection).await
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(check: Check, roots: &Roots) -> ConnectionResult<ClientConfig> {
    let bad = |m: String| ConnectionError::BadConnection(m);
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match check {
        Check::Nothing => Arc::new(AnyCertificate(provider)),
        Check::Chain | Check::ChainAndHost => {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::new(root_store(roots).map_err(bad)?),
                provider,
            )
            .build()
            .map_err(|e| bad(format!("the trusted roots cannot be used: {e}")))?;
            if check == Check::Chain {
                Arc::new(AnyHostName(webpki))
            } else {
                webpki
            }
        }
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

fn root_store(roots: &Roots) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {path} cannot be read as PEM: {e}"))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("sslrootcert {path} holds no usable certificate"));
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(
                    "no trusted roots in the system store; give sslrootcert=<PEM file>".into(),
                );
            }
        }
    }
    Ok(store)
}

/// `sslmode=require` without roots: encrypted against eavesdropping, not against a server
/// pretending to be the database (as with libpq). Handshake signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must be trusted, but the name in the certificate need not match the
/// host (servers reached by an internal address or an IP often carry their public name).
#[derive(Debug)]
struct AnyHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(url: &str) -> (Check, Roots, String) {
        match security(url).unwrap() {
            Security::Tls {
                check,
                roots,
                driver_url,
            } => (check, roots, driver_url),
            Security::Plain => panic!("{url} should ask for TLS"),
        }
    }

    #[test]
    fn modes_that_do_not_ask_for_encryption_stay_plain() {
        for url in [
            "postgres://u@h/db",
            "postgres://u@h/db?sslmode=disable",
            "postgres://u@h/db?sslmode=prefer&application_name=x",
            "host=h user=u sslmode=require",
        ] {
            assert_eq!(security(url).unwrap(), Security::Plain, "{url}");
        }
    }

    #[test]
    fn modes_follow_libpq() {
        let (check, roots, driver) = tls("postgres://u:p@h:5432/db?sslmode=require");
        assert_eq!((check, roots), (Check::Nothing, Roots::System));
        assert_eq!(driver, "postgres://u:p@h:5432/db?sslmode=require");

        let (check, roots, _) = tls("postgres://u@h/db?sslmode=require&sslrootcert=/ca.pem");
        assert_eq!(
            (check, roots),
            (Check::Chain, Roots::File("/ca.pem".into()))
        );

        let (check, roots, _) = tls("postgres://u@h/db?sslmode=verify-ca");
        assert_eq!((check, roots), (Check::Chain, Roots::System));

        let (check, roots, driver) =
            tls("postgres://u@h/db?sslrootcert=system&sslmode=verify-full&connect_timeout=5");
        assert_eq!((check, roots), (Check::ChainAndHost, Roots::System));
        assert_eq!(
            driver,
            "postgres://u@h/db?connect_timeout=5&sslmode=require"
        );
    }

    #[test]
    fn an_unknown_mode_is_named() {
        let error = security("postgres://u@h/db?sslmode=always").unwrap_err();
        assert!(error.contains("sslmode=always"), "{error}");
    }

    #[test]
    fn an_unreadable_root_file_is_named() {
        let error = root_store(&Roots::File("/nonexistent/ca.pem".into())).unwrap_err();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
    }
}
