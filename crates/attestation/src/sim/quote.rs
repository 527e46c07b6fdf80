//! The byte layout of a DCAP v3 (SGX) quote and the JSON collateral, written for the simulated
//! hierarchy. Layouts follow Intel's "SGX ECDSA Quote Library API" (quote v3) and the PCS API
//! (TCB info v3, QE identity v2).

use super::pki::{self, Pki};
use dcap_qvl::QuoteCollateralV3;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Intel's QE vendor id: `dcap-qvl` accepts only quotes that carry it.
const INTEL_QE_VENDOR_ID: [u8; 16] = [
    0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07,
];
const QUOTE_VERSION_SGX: u16 = 3;
const ATTESTATION_KEY_ECDSA_P256: u16 = 2;
const TEE_TYPE_SGX: u32 = 0;
const CERT_TYPE_PCK_CHAIN: u16 = 5;

/// SGX ATTRIBUTES.FLAGS: INIT | MODE64BIT; DEBUG is 0x02.
const ATTRIBUTES_PRODUCTION: u8 = 0x05;
const ATTRIBUTES_DEBUG: u8 = 0x07;

/// The simulated quoting enclave's identity, as its QE identity collateral states it.
const QE_PROD_ID: u16 = 1;
const QE_SVN: u16 = 8;
static QE_MR_SIGNER: LazyLock<[u8; 32]> = LazyLock::new(|| pki::labelled_hash("qe-signer"));

/// The simulated worker runtime's measurement.
pub(crate) static MR_ENCLAVE: LazyLock<[u8; 32]> =
    LazyLock::new(|| pki::labelled_hash("worker-runtime"));
pub(crate) static MR_SIGNER: LazyLock<[u8; 32]> =
    LazyLock::new(|| pki::labelled_hash("worker-signer"));

/// An SGX REPORT body (384 bytes).
struct ReportBody {
    attributes: u8,
    mr_enclave: [u8; 32],
    mr_signer: [u8; 32],
    isv_prod_id: u16,
    isv_svn: u16,
    report_data: [u8; 64],
}

impl ReportBody {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(384);
        out.extend_from_slice(&pki::CPU_SVN); // cpu_svn
        out.extend_from_slice(&0u32.to_le_bytes()); // misc_select
        out.extend_from_slice(&[0; 28]);
        let mut attributes = [0u8; 16];
        attributes[0] = self.attributes;
        out.extend_from_slice(&attributes);
        out.extend_from_slice(&self.mr_enclave);
        out.extend_from_slice(&[0; 32]);
        out.extend_from_slice(&self.mr_signer);
        out.extend_from_slice(&[0; 96]);
        out.extend_from_slice(&self.isv_prod_id.to_le_bytes());
        out.extend_from_slice(&self.isv_svn.to_le_bytes());
        out.extend_from_slice(&[0; 60]);
        out.extend_from_slice(&self.report_data);
        debug_assert_eq!(out.len(), 384);
        out
    }
}

/// A complete v3 quote for the simulated worker runtime.
pub(crate) fn build(pki: &Pki, report_data: [u8; 64], debug: bool) -> Vec<u8> {
    let attestation_key = &pki.attestation_key;
    let attestation_public = attestation_key.raw_public();
    let qe_auth_data = [0u8; 32];

    let mut header = Vec::with_capacity(48);
    header.extend_from_slice(&QUOTE_VERSION_SGX.to_le_bytes());
    header.extend_from_slice(&ATTESTATION_KEY_ECDSA_P256.to_le_bytes());
    header.extend_from_slice(&TEE_TYPE_SGX.to_le_bytes());
    header.extend_from_slice(&QE_SVN.to_le_bytes());
    header.extend_from_slice(&pki::PCE_SVN.to_le_bytes());
    header.extend_from_slice(&INTEL_QE_VENDOR_ID);
    header.extend_from_slice(&[0; 20]);

    let body = ReportBody {
        attributes: if debug {
            ATTRIBUTES_DEBUG
        } else {
            ATTRIBUTES_PRODUCTION
        },
        mr_enclave: *MR_ENCLAVE,
        mr_signer: *MR_SIGNER,
        isv_prod_id: 1,
        isv_svn: 1,
        report_data,
    }
    .encode();

    // The QE report binds the attestation key: report_data = SHA-256(key ‖ QE auth data) ‖ 0.
    let mut qe_report_data = [0u8; 64];
    let key_hash = Sha256::new()
        .chain_update(attestation_public)
        .chain_update(qe_auth_data)
        .finalize();
    qe_report_data[..32].copy_from_slice(&key_hash);
    let qe_report = ReportBody {
        attributes: 0x11,
        mr_enclave: pki::labelled_hash("qe"),
        mr_signer: *QE_MR_SIGNER,
        isv_prod_id: QE_PROD_ID,
        isv_svn: QE_SVN,
        report_data: qe_report_data,
    }
    .encode();

    let signed = [header.as_slice(), body.as_slice()].concat();
    let mut auth = Vec::new();
    auth.extend_from_slice(&attestation_key.sign_raw(&signed));
    auth.extend_from_slice(&attestation_public);
    auth.extend_from_slice(&qe_report);
    auth.extend_from_slice(&pki.pck_key.sign_raw(&qe_report));
    auth.extend_from_slice(&(qe_auth_data.len() as u16).to_le_bytes());
    auth.extend_from_slice(&qe_auth_data);
    auth.extend_from_slice(&CERT_TYPE_PCK_CHAIN.to_le_bytes());
    let chain = pki.pck_chain_pem.as_bytes();
    auth.extend_from_slice(&(chain.len() as u32).to_le_bytes());
    auth.extend_from_slice(chain);

    let mut quote = signed;
    quote.extend_from_slice(&(auth.len() as u32).to_le_bytes());
    quote.extend_from_slice(&auth);
    quote
}

/// Collateral for the simulated platform, issued at `issued` and valid until `next_update`
/// (RFC 3339 UTC). One TCB level (UpToDate) that the simulated PCK certificate meets.
pub(crate) fn collateral(pki: &Pki, issued: &str, next_update: &str) -> QuoteCollateralV3 {
    let components: Vec<_> = [1u8; 16]
        .iter()
        .map(|svn| serde_json::json!({ "svn": svn }))
        .collect();
    let tcb_info = serde_json::json!({
        "id": "SGX",
        "version": 3,
        "issueDate": issued,
        "nextUpdate": next_update,
        "fmspc": hex::encode_upper(pki::FMSPC),
        "pceId": hex::encode_upper(pki::PCE_ID),
        "tcbType": 0,
        "tcbEvaluationDataNumber": 1,
        "tcbLevels": [{
            "tcb": { "sgxtcbcomponents": components, "pcesvn": 1 },
            "tcbDate": "2025-01-01T00:00:00Z",
            "tcbStatus": "UpToDate",
        }],
    })
    .to_string();
    let qe_identity = serde_json::json!({
        "id": "QE",
        "version": 2,
        "issueDate": issued,
        "nextUpdate": next_update,
        "tcbEvaluationDataNumber": 1,
        "miscselect": "00000000",
        "miscselectMask": "FFFFFFFF",
        "attributes": "11000000000000000000000000000000",
        "attributesMask": "FBFFFFFFFFFFFFFF0000000000000000",
        "mrsigner": hex::encode_upper(*QE_MR_SIGNER),
        "isvprodid": QE_PROD_ID,
        "tcbLevels": [{
            "tcb": { "isvsvn": QE_SVN },
            "tcbDate": "2025-01-01T00:00:00Z",
            "tcbStatus": "UpToDate",
        }],
    })
    .to_string();
    QuoteCollateralV3 {
        pck_crl_issuer_chain: pki.platform_chain_pem.clone(),
        root_ca_crl: pki.root_crl_der.clone(),
        pck_crl: pki.pck_crl_der.clone(),
        tcb_info_issuer_chain: pki.tcb_chain_pem.clone(),
        tcb_info_signature: pki.tcb_key.sign_raw(tcb_info.as_bytes()).to_vec(),
        tcb_info,
        qe_identity_issuer_chain: pki.tcb_chain_pem.clone(),
        qe_identity_signature: pki.tcb_key.sign_raw(qe_identity.as_bytes()).to_vec(),
        qe_identity,
        pck_certificate_chain: None,
    }
}
