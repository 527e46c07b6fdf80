//! The simulated TEE's certificate hierarchy, shaped like Intel's so that `dcap-qvl` verifies
//! it unchanged, only against a different root:
//!
//! ```text
//! SIMULATED root CA ──┬── SIMULATED PCK platform CA ── SIMULATED PCK certificate (SGX extension)
//!                     └── SIMULATED TCB signer (signs TCB info and QE identity)
//! ```
//!
//! Every key is derived from a public label, so anyone can produce simulated evidence: it proves
//! nothing, and chains accept it only when their spec allows simulation. ECDSA signing is
//! deterministic (RFC 6979) and the validity dates are fixed, so the certificates, and above all
//! the root a verifier pins, are the same on every machine.

use super::{SimError, der};
use p256::ecdsa::{Signature, SigningKey as P256Key, signature::Signer};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, IsCa, Issuer, KeyIdMethod, KeyUsagePurpose, PublicKeyData,
    SerialNumber, SignatureAlgorithm, SigningKey, date_time_ymd,
};
use sha2::{Digest, Sha256};

/// Domain of every simulated key and measurement.
const DOMAIN: &str = "phalanx/sim-tee/v1/";

/// SHA-256 of the domain and `label`.
pub(crate) fn labelled_hash(label: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(DOMAIN.as_bytes())
        .chain_update(label.as_bytes())
        .finalize()
        .into()
}

/// A P-256 key derived from a public label.
pub(crate) struct SimKey {
    key: P256Key,
    /// The uncompressed SEC1 point (0x04 ‖ x ‖ y).
    point: Vec<u8>,
}

impl SimKey {
    pub(crate) fn derive(label: &str) -> Result<Self, SimError> {
        let key = P256Key::from_slice(&labelled_hash(label))
            .map_err(|e| SimError::Key(format!("{label}: {e}")))?;
        let point = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        Ok(Self { key, point })
    }

    /// The raw 64-byte public key (x ‖ y), the form DCAP quotes carry.
    pub(crate) fn raw_public(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(&self.point[1..65]);
        out
    }

    /// A raw r ‖ s signature over SHA-256(`msg`), the form DCAP quotes and collateral carry.
    pub(crate) fn sign_raw(&self, msg: &[u8]) -> [u8; 64] {
        let sig: Signature = self.key.sign(msg);
        sig.to_bytes().into()
    }

    fn key_id(&self) -> Vec<u8> {
        Sha256::digest(&self.point)[..20].to_vec()
    }
}

impl PublicKeyData for SimKey {
    fn der_bytes(&self) -> &[u8] {
        &self.point
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl SigningKey for SimKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let sig: Signature = self.key.sign(msg);
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// The platform values the simulated PCK certificate attests (and the TCB info rates).
pub(crate) const FMSPC: [u8; 6] = *b"PHALX\0";
pub(crate) const PCE_ID: [u8; 2] = [0, 0];
pub(crate) const CPU_SVN: [u8; 16] = [2; 16];
pub(crate) const PCE_SVN: u16 = 13;

/// Intel's OID arc for SGX extensions, 1.2.840.113741.1.13.1.
const SGX_EXTENSION: [u64; 7] = [1, 2, 840, 113_741, 1, 13, 1];

fn sgx_oid(sub: &[u64]) -> Vec<u8> {
    let mut arcs = SGX_EXTENSION.to_vec();
    arcs.extend_from_slice(sub);
    der::oid(&arcs)
}

/// The SGX extension of a PCK certificate: PPID, TCB (16 CPU SVN components, PCESVN, CPUSVN),
/// PCE-ID, FMSPC and SGX type.
fn sgx_extension() -> Vec<u8> {
    let mut tcb: Vec<Vec<u8>> = (1..=16u64)
        .map(|i| {
            der::sequence(&[
                sgx_oid(&[2, i]),
                der::uint(u16::from(CPU_SVN[i as usize - 1])),
            ])
        })
        .collect();
    tcb.push(der::sequence(&[sgx_oid(&[2, 17]), der::uint(PCE_SVN)]));
    tcb.push(der::sequence(&[sgx_oid(&[2, 18]), der::octets(&CPU_SVN)]));
    der::sequence(&[
        der::sequence(&[sgx_oid(&[1]), der::octets(&labelled_hash("ppid")[..16])]),
        der::sequence(&[sgx_oid(&[2]), der::sequence(&tcb)]),
        der::sequence(&[sgx_oid(&[3]), der::octets(&PCE_ID)]),
        der::sequence(&[sgx_oid(&[4]), der::octets(&FMSPC)]),
        der::sequence(&[sgx_oid(&[5]), der::enumerated(0)]),
    ])
}

fn params(common_name: &str, serial: u64, key: &SimKey, ca: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.not_before = date_time_ymd(2025, 1, 1);
    params.not_after = date_time_ymd(2099, 12, 31);
    params.serial_number = Some(SerialNumber::from(serial));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(
        DnType::OrganizationName,
        "Phalanx development: SIMULATED TEE, NOT SECURE",
    );
    params.distinguished_name = dn;
    params.key_identifier_method = KeyIdMethod::PreSpecified(key.key_id());
    match ca {
        Some(path_len) => {
            params.is_ca = IsCa::Ca(if path_len == u8::MAX {
                BasicConstraints::Unconstrained
            } else {
                BasicConstraints::Constrained(path_len)
            });
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
        None => {
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
    }
    params
}

/// The certificates, CRLs and keys simulated evidence is made from.
pub(crate) struct Pki {
    pub root_der: Vec<u8>,
    /// PEM: PCK leaf, platform CA, root (the quote's certification data).
    pub pck_chain_pem: String,
    /// PEM: platform CA, root (the PCK CRL's issuer chain).
    pub platform_chain_pem: String,
    /// PEM: TCB signer, root (issuer chain of TCB info and QE identity).
    pub tcb_chain_pem: String,
    pub root_crl_der: Vec<u8>,
    pub pck_crl_der: Vec<u8>,
    pub pck_key: SimKey,
    pub tcb_key: SimKey,
    /// The quoting enclave's attestation key: fixed, like a real QE's on one platform.
    pub attestation_key: SimKey,
}

fn pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}

fn empty_crl(issuer: &Issuer<'_, &SimKey>, key: &SimKey, number: u64) -> Result<Vec<u8>, SimError> {
    CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 1, 1),
        next_update: date_time_ymd(2099, 12, 31),
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::PreSpecified(key.key_id()),
    }
    .signed_by(issuer)
    .map(|crl| crl.der().to_vec())
    .map_err(|e| SimError::Certificate(e.to_string()))
}

impl Pki {
    pub(crate) fn build() -> Result<Self, SimError> {
        let cert_err = |e: rcgen::Error| SimError::Certificate(e.to_string());
        let root_key = SimKey::derive("root-ca")?;
        let platform_key = SimKey::derive("pck-platform-ca")?;
        let tcb_key = SimKey::derive("tcb-signer")?;
        let pck_key = SimKey::derive("pck")?;

        let root_params = params("Phalanx SIMULATED SGX Root CA", 1, &root_key, Some(u8::MAX));
        let root = root_params.self_signed(&root_key).map_err(cert_err)?;
        let root_issuer = Issuer::from_params(&root_params, &root_key);

        let mut platform_params = params(
            "Phalanx SIMULATED SGX PCK Platform CA",
            2,
            &platform_key,
            Some(0),
        );
        platform_params.use_authority_key_identifier_extension = true;
        let platform = platform_params
            .signed_by(&platform_key, &root_issuer)
            .map_err(cert_err)?;
        let platform_issuer = Issuer::from_params(&platform_params, &platform_key);

        let mut tcb_params = params("Phalanx SIMULATED SGX TCB Signing", 3, &tcb_key, None);
        tcb_params.use_authority_key_identifier_extension = true;
        let tcb = tcb_params
            .signed_by(&tcb_key, &root_issuer)
            .map_err(cert_err)?;

        let mut pck_params = params("Phalanx SIMULATED SGX PCK Certificate", 4, &pck_key, None);
        pck_params.use_authority_key_identifier_extension = true;
        pck_params.custom_extensions = vec![CustomExtension::from_oid_content(
            &SGX_EXTENSION,
            sgx_extension(),
        )];
        let pck = pck_params
            .signed_by(&pck_key, &platform_issuer)
            .map_err(cert_err)?;

        let root_pem = pem(root.der());
        Ok(Self {
            root_der: root.der().to_vec(),
            pck_chain_pem: [pem(pck.der()), pem(platform.der()), root_pem.clone()].concat(),
            platform_chain_pem: [pem(platform.der()), root_pem.clone()].concat(),
            tcb_chain_pem: [pem(tcb.der()), root_pem].concat(),
            root_crl_der: empty_crl(&root_issuer, &root_key, 1)?,
            pck_crl_der: empty_crl(&platform_issuer, &platform_key, 1)?,
            pck_key,
            tcb_key,
            attestation_key: SimKey::derive("attestation-key")?,
        })
    }
}
