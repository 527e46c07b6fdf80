#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! The quote producers against temporary directories that imitate the kernel (configfs-tsm)
//! and Gramine (`/dev/attestation`) interfaces, including a racing writer.

use phalanx_attestation::producer::{self, Detected, ProducerError, configfs_tsm, gramine};
use std::{path::Path, thread, time::Duration};

fn report_data() -> [u8; 64] {
    let mut d = [0u8; 64];
    d[..4].copy_from_slice(b"bind");
    d
}

#[test]
fn gramine_writes_the_report_data_and_reads_the_quote() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("attestation_type"), "dcap\n").unwrap();
    std::fs::write(dir.path().join("quote"), b"a DCAP quote").unwrap();
    let quote = gramine::produce(dir.path(), &report_data()).unwrap();
    assert_eq!(quote, b"a DCAP quote");
    assert_eq!(
        std::fs::read(dir.path().join("user_report_data")).unwrap(),
        report_data()
    );
    assert_eq!(
        producer::probe(dir.path(), Path::new("/nonexistent")),
        Some(Detected::Sgx)
    );

    std::fs::write(dir.path().join("attestation_type"), "none\n").unwrap();
    assert!(matches!(
        gramine::produce(dir.path(), &report_data()),
        Err(ProducerError::Unexpected(m)) if m.contains("dcap")
    ));
    assert!(matches!(
        gramine::produce(Path::new("/nonexistent/attestation"), &report_data()),
        Err(ProducerError::Io { .. })
    ));
}

/// Sets up an entry as the kernel does on mkdir, and answers the first 64-byte inblob write
/// like the kernel: `generation` moves by `bump`, then `outblob` holds the "quote".
fn fake_kernel(entry: &Path, provider: &str, bump: u64) -> thread::JoinHandle<()> {
    std::fs::create_dir_all(entry).unwrap();
    std::fs::write(entry.join("provider"), format!("{provider}\n")).unwrap();
    std::fs::write(entry.join("generation"), "7\n").unwrap();
    std::fs::write(entry.join("outblob"), b"").unwrap();
    let entry = entry.to_path_buf();
    thread::spawn(move || {
        for _ in 0..5_000 {
            if let Ok(inblob) = std::fs::read(entry.join("inblob"))
                && inblob.len() == 64
            {
                // Each file appears whole (write, then rename), as a kernel attribute would.
                let publish = |name: &str, bytes: &[u8]| {
                    let tmp = entry.join(format!(".{name}.tmp"));
                    std::fs::write(&tmp, bytes).unwrap();
                    std::fs::rename(&tmp, entry.join(name)).unwrap();
                };
                publish("generation", format!("{}\n", 7 + bump).as_bytes());
                let mut quote = b"QUOTE:".to_vec();
                quote.extend_from_slice(&inblob);
                publish("outblob", &quote);
                return;
            }
            thread::sleep(Duration::from_millis(1));
        }
    })
}

#[test]
fn configfs_tsm_produces_a_quote_binding_the_report_data() {
    let dir = tempfile::tempdir().unwrap();
    let entry = dir.path().join("report/entry");
    let kernel = fake_kernel(&entry, "tdx_guest", 1);
    let report = configfs_tsm::produce_in(&entry, &report_data()).unwrap();
    kernel.join().unwrap();
    assert_eq!(report.provider, "tdx_guest");
    assert_eq!(&report.outblob[..6], b"QUOTE:");
    assert_eq!(report.outblob[6..], report_data());
    assert_eq!(report.auxblob, None);
}

#[test]
fn configfs_tsm_refuses_a_quote_when_another_writer_raced() {
    let dir = tempfile::tempdir().unwrap();
    let entry = dir.path().join("report/entry");
    // Two writes counted: someone else wrote inblob between our write and our read.
    let kernel = fake_kernel(&entry, "sev_guest", 2);
    let result = configfs_tsm::produce_in(&entry, &report_data());
    kernel.join().unwrap();
    assert!(matches!(
        result,
        Err(ProducerError::GenerationRace {
            before: 7,
            after: 9
        })
    ));
}

#[test]
fn configfs_tsm_without_the_kernel_interface_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    // mkdir works in a plain directory, but no kernel populates the entry.
    assert!(matches!(
        configfs_tsm::produce(dir.path(), &report_data()),
        Err(ProducerError::Io { .. })
    ));
    assert!(matches!(
        configfs_tsm::produce(&dir.path().join("missing"), &report_data()),
        Err(ProducerError::Io { .. })
    ));
    assert_eq!(producer::probe(dir.path(), dir.path()), None);
}
