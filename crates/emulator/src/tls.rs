//! HTTPS for the emulator. Real clients (MSAL, browsers) insist on TLS, so the emulator is its own
//! small CA: the CA is created once and kept in the data dir (`ca.pem` is what clients trust), and
//! a server certificate for `localhost`, `127.0.0.1` and `::1` is issued from it at every start.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

use crate::keys::write_private;

/// A server certificate and key, and the CA that issued it.
#[derive(Clone)]
pub struct TlsMaterial {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    /// Where `ca.pem` was written, when there is a data dir.
    pub ca_path: Option<PathBuf>,
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot create the emulator's certificates: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot use the data dir {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

const CA_NAME: &str = "graphnote emulator local CA";

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_NAME);
    dn.push(DnType::OrganizationName, "graphnote");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    Ok(params)
}

fn server_cert(ca_key: &KeyPair) -> Result<(String, String), rcgen::Error> {
    let issuer = Issuer::new(ca_params()?, ca_key);
    let mut params = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok((cert.pem(), key.serialize_pem()))
}

impl TlsMaterial {
    /// A CA and certificate that live only in memory (in-process tests).
    pub fn ephemeral() -> Result<TlsMaterial, TlsError> {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let ca = ca_params()?.self_signed(&ca_key)?;
        let (cert_pem, key_pem) = server_cert(&ca_key)?;
        Ok(TlsMaterial {
            ca_pem: ca.pem(),
            cert_pem,
            key_pem,
            ca_path: None,
        })
    }

    /// Uses (or creates, on first start) the CA in `dir`, and issues a fresh server certificate.
    pub fn in_data_dir(dir: &Path) -> Result<TlsMaterial, TlsError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| TlsError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let ca_path = dir.join("ca.pem");
        let ca_key_path = dir.join("ca-key.pem");
        let (ca_pem, ca_key) = if ca_path.exists() && ca_key_path.exists() {
            let key_pem = std::fs::read_to_string(&ca_key_path).map_err(io(&ca_key_path))?;
            let ca_pem = std::fs::read_to_string(&ca_path).map_err(io(&ca_path))?;
            (ca_pem, KeyPair::from_pem(&key_pem)?)
        } else {
            let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
            let ca = ca_params()?.self_signed(&ca_key)?;
            write_private(&ca_key_path, &ca_key.serialize_pem()).map_err(io(&ca_key_path))?;
            std::fs::write(&ca_path, ca.pem()).map_err(io(&ca_path))?;
            (ca.pem(), ca_key)
        };
        let (cert_pem, key_pem) = server_cert(&ca_key)?;
        Ok(TlsMaterial {
            ca_pem,
            cert_pem,
            key_pem,
            ca_path: Some(ca_path),
        })
    }
}
