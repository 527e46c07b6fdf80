//! The few DER encodings the Intel SGX certificate extension needs (SEQUENCE, OID, INTEGER,
//! OCTET STRING, ENUMERATED). Enough to write a PCK certificate's extension; not a general
//! ASN.1 library.

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const ENUMERATED: u8 = 0x0a;

/// One tag-length-value.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

pub(crate) fn sequence(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &items.concat())
}

/// An object identifier from its arcs (the first two are at most 2 and 39).
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    if let [first, second, rest @ ..] = arcs {
        base128(first * 40 + second, &mut body);
        for arc in rest {
            base128(*arc, &mut body);
        }
    }
    tlv(OID, &body)
}

fn base128(mut value: u64, out: &mut Vec<u8>) {
    let mut digits = vec![(value & 0x7f) as u8];
    value >>= 7;
    while value > 0 {
        digits.push(0x80 | (value & 0x7f) as u8);
        value >>= 7;
    }
    digits.reverse();
    out.extend_from_slice(&digits);
}

/// A non-negative INTEGER (a leading zero byte keeps values ≥ 0x80 positive).
pub(crate) fn uint(value: u16) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let mut body: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if body.first().is_none_or(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    tlv(INTEGER, &body)
}

pub(crate) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, bytes)
}

pub(crate) fn enumerated(value: u8) -> Vec<u8> {
    tlv(ENUMERATED, &[value])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_known_values() {
        // 1.2.840.113741.1.13.1 is Intel's SGX extension OID.
        assert_eq!(
            oid(&[1, 2, 840, 113741, 1, 13, 1]),
            [
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01
            ]
        );
        assert_eq!(uint(0), [0x02, 0x01, 0x00]);
        assert_eq!(uint(13), [0x02, 0x01, 0x0d]);
        assert_eq!(uint(0x80), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(tlv(0x04, &[0u8; 200])[..3], [0x04, 0x81, 200]);
    }
}
