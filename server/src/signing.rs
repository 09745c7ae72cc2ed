//! Embedded signatures on the minutes PDF, and their verification.
//!
//! Signing appends one incremental update to the file printpdf wrote: a signature
//! dictionary (PAdES: `/SubFilter /ETSI.CAdES.detached`), an invisible signature
//! field on page 1, and the catalog again with an `/AcroForm`. The original bytes stay
//! untouched, so the update is all we write by hand; lopdf only reads the original.
//! The signature is a detached CMS SignedData (RSA PKCS#1 v1.5, SHA-256) carrying the
//! certificate and an ESS signing-certificate-v2 attribute, as PAdES baseline B-B wants.
//! The claimed signing time is the dictionary's `/M`: PAdES forbids the CMS
//! signing-time attribute, and `/M` lies inside the signed bytes anyway.
//!
//! The key is self-signed on first start (`Signer::load_or_create`) or installed by an
//! operator from PEM or PKCS#12; either way it lives as two PEM files in one directory.
//!
//! Verification reads user uploads, so it trusts nothing but the bytes the signature
//! covers, never indexes unchecked and parses the file itself rather than through a
//! full PDF parser. Every byte of a signed file is bound: changing any one of them
//! fails the digest, the signature or a consistency check of the CMS.
//!
//! Not supported: input with cross-reference streams or encryption (printpdf writes
//! neither), keys other than RSA, encrypted PEM keys (use PKCS#12), and PKCS#12 files
//! whose key and certificate are not paired by a localKeyId (what OpenSSL, Windows
//! and Java write do pair them).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc4519, rfc5911, rfc5912};
use der::asn1::{GeneralizedTime, OctetString, SetOfVec};
use der::referenced::OwnedToRef;
use der::{Any, Decode, Encode, EncodePem, Sequence, Tag};
use lopdf::Object;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::rand_core::{OsRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeTypeAndValue, Attributes};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// PKCS#8 PEM, mode 0600.
pub const KEY_FILE: &str = "minutes-signing.key.pem";
/// The signing certificate first, then any issuing certificates; PEM, mode 0644.
pub const CERT_FILE: &str = "minutes-signing.crt.pem";
/// 3072 bits: the certificate lives ten years, past the 2030 horizon of 2048-bit RSA.
const KEY_BITS: usize = 3072;
const MIN_KEY_BITS: usize = 2048;
const TEN_YEARS: Duration = Duration::from_secs(3653 * 86_400);
const DEFAULT_ORGANIZATION: &str = "Pingyi";
/// Room for "0 a b c" with four 10-digit numbers; the rest stays blank.
const BYTE_RANGE_WIDTH: usize = 48;
/// PDF whitespace (ISO 32000 7.2.2).
const PDF_SPACE: &[u8] = b"\0\t\n\x0c\r ";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("签章密钥无法读取 / signing key unreadable: {0}")]
    KeyUnreadable(String),
    #[error("签章证书无法读取 / signing certificate unreadable: {0}")]
    CertUnreadable(String),
    #[error("签章密钥与证书不匹配 / the signing key does not match any certificate given")]
    KeyCertMismatch,
    #[error(
        "签章密钥与证书缺一：{} 存在而 {} 缺失 / only one of the signing key and certificate exists: {} is there, {} is missing",
        .present.display(), .missing.display(), .present.display(), .missing.display()
    )]
    Incomplete { present: PathBuf, missing: PathBuf },
    #[error("签章文件读写失败 / cannot read or write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "PKCS#12 文件无法读取（密码错误或格式不支持）/ PKCS#12 file unreadable (wrong password or unsupported format): {0}"
    )]
    Pkcs12(String),
    #[error("无法生成签章证书 / cannot create the signing certificate: {0}")]
    Create(String),
    #[error("PDF 无法签章 / the PDF cannot be signed: {0}")]
    Pdf(String),
    #[error("签章计算失败 / the signature could not be computed: {0}")]
    Crypto(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("文件未签章 / the file is not signed")]
    NotSigned,
    #[error("签章结构无效 / the signature is malformed: {0}")]
    Malformed(String),
    #[error("文件已被修改 / the file was modified after it was signed")]
    DigestMismatch,
    #[error("签章无效 / the signature does not verify")]
    BadSignature,
    #[error("签章算法不受支持 / unsupported signature: {0}")]
    Unsupported(String),
}

impl VerifyError {
    /// The verdict the public verification page gives, after "电子签章无效：".
    /// What it means for the reader, never the parser's detail (which reveals
    /// how the check works): that is logged and `pingyi verify-minutes` prints it.
    pub fn verdict_zh(&self) -> &'static str {
        match self {
            VerifyError::NotSigned => "文件未加盖电子签章，不是本平台签发的定稿纪要",
            VerifyError::Malformed(_) => "文件无法识别，签章已损坏或文件已被修改",
            VerifyError::DigestMismatch => "文件在签章后已被修改",
            VerifyError::BadSignature => "签章无效，签章与文件或证书不符",
            VerifyError::Unsupported(_) => "不是本平台签发的纪要",
        }
    }
}

fn malformed(why: impl std::fmt::Display) -> VerifyError {
    VerifyError::Malformed(why.to_string())
}

/// What the signature dictionary says about the signing, beside the signature itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInfo {
    /// `/Name`: who signs, e.g. the office.
    pub name: String,
    /// `/Reason`, e.g. "听证评议会议纪要".
    pub reason: String,
    /// `/Location`, e.g. "海宁市信访局".
    pub location: String,
    /// `/M`, the claimed signing time.
    pub signing_time_unix: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignatureReport {
    /// The signing certificate's subject, RFC 4514 style ("CN=…,O=…").
    pub signer_subject: String,
    /// Lowercase hex SHA-256 of the signing certificate's DER.
    pub cert_fingerprint_sha256: String,
    pub signing_time_unix: Option<i64>,
    /// The signature covers the file up to its last byte (nothing was appended after).
    pub whole_document: bool,
}

/// The minutes signing key and its certificate.
pub struct Signer {
    key: SigningKey<Sha256>,
    cert: Certificate,
    cert_der: Vec<u8>,
    /// Issuing certificates of an installed CA certificate, embedded so that
    /// validators can build the path.
    chain: Vec<Certificate>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("subject", &self.subject())
            .field("fingerprint_sha256", &self.fingerprint_sha256())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads the pair from `dir`, or creates a self-signed one there when neither file
    /// exists. Blocking (key generation takes about a second): call it at startup or
    /// from `spawn_blocking`.
    pub fn load_or_create(dir: &Path, common_name: &str) -> Result<Signer, SigningError> {
        Self::load_or_create_with(dir, common_name, DEFAULT_ORGANIZATION)
    }

    /// [`Signer::load_or_create`] with the organization (O) of a new certificate.
    pub fn load_or_create_with(
        dir: &Path,
        common_name: &str,
        organization: &str,
    ) -> Result<Signer, SigningError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        if let Some(signer) = Self::load_existing(dir)? {
            return Ok(signer);
        }
        let signer = Self::create_self_signed(common_name, organization)?;
        if signer.claim(dir)? {
            return Ok(signer);
        }
        // Another instance sharing the directory created its pair first: use that one.
        Self::load_existing(dir)?.ok_or_else(|| SigningError::Incomplete {
            present: dir.join(KEY_FILE),
            missing: dir.join(CERT_FILE),
        })
    }

    /// A new RSA key with a self-signed CA certificate valid for ten years.
    pub fn create_self_signed(
        common_name: &str,
        organization: &str,
    ) -> Result<Signer, SigningError> {
        let create = |e: &dyn std::fmt::Display| SigningError::Create(e.to_string());
        let key = RsaPrivateKey::new(&mut OsRng, KEY_BITS).map_err(|e| create(&e))?;
        let signing_key = SigningKey::<Sha256>::new(key.clone());
        let spki =
            SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).map_err(|e| create(&e))?;
        let subject = name(common_name, organization).map_err(|e| create(&e))?;
        let serial = random_serial().map_err(|e| create(&e))?;
        let validity = ten_years_from_yesterday().map_err(|e| create(&e))?;
        // Manual: the stock profiles fix keyUsage, and ours must both sign documents
        // and (as its own root) certificates.
        let profile = Profile::Manual { issuer: None };
        let mut builder = CertificateBuilder::new(
            profile,
            serial,
            validity,
            subject,
            spki.clone(),
            &signing_key,
        )
        .map_err(|e| create(&e))?;
        let usages =
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation | KeyUsages::KeyCertSign;
        let ski = SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(|e| create(&e))?;
        builder
            .add_extension(&BasicConstraints {
                ca: true,
                path_len_constraint: None,
            })
            .and_then(|()| builder.add_extension(&KeyUsage(usages)))
            .and_then(|()| builder.add_extension(&ski))
            .map_err(|e| create(&e))?;
        let cert = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(|e| create(&e))?;
        Self::from_parts(key, vec![cert])
    }

    /// An operator's key (PKCS#8 or PKCS#1 PEM, unencrypted) and certificate (PEM; a
    /// bundle may add the issuing certificates in any order).
    pub fn import_pem(key_pem: &str, cert_pem: &str) -> Result<Signer, SigningError> {
        let key = parse_key_pem(key_pem)?;
        let certs = Certificate::load_pem_chain(cert_pem.as_bytes())
            .map_err(|e| SigningError::CertUnreadable(e.to_string()))?;
        Self::from_parts(key, certs)
    }

    /// An operator's PKCS#12 (.p12/.pfx) file: AES/PBES2 as well as legacy 3DES and
    /// RC2 bags. The first private key with its certificate chain is used.
    pub fn import_pkcs12(bytes: &[u8], password: &str) -> Result<Signer, SigningError> {
        let p12 = |e: &dyn std::fmt::Display| SigningError::Pkcs12(e.to_string());
        let store = p12_keystore::KeyStore::from_pkcs12(bytes, password).map_err(|e| p12(&e))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or_else(|| p12(&"no private key with its certificate / 无私钥及其证书"))?;
        let key = RsaPrivateKey::from_pkcs8_der(chain.key())
            .map_err(|e| SigningError::KeyUnreadable(format!("not an RSA key: {e}")))?;
        let certs = chain
            .chain()
            .iter()
            .map(|c| Certificate::from_der(c.as_der()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SigningError::CertUnreadable(e.to_string()))?;
        Self::from_parts(key, certs)
    }

    /// Writes the pair into `dir`, replacing what is there (each file by an atomic
    /// rename). A running server keeps its old key until restarted.
    pub fn save_to(&self, dir: &Path) -> Result<(), SigningError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let (key_tmp, cert_tmp) = self.write_temps(dir)?;
        rename(&key_tmp, &dir.join(KEY_FILE))?;
        rename(&cert_tmp, &dir.join(CERT_FILE))?;
        sync_dir(dir)
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The certificate (and any issuers) as PEM, e.g. to hand to a validator as trusted.
    pub fn certificate_pem(&self) -> Result<String, SigningError> {
        std::iter::once(&self.cert)
            .chain(&self.chain)
            .map(|c| c.to_pem(LineEnding::LF))
            .collect::<Result<String, _>>()
            .map_err(|e| SigningError::CertUnreadable(e.to_string()))
    }

    /// Lowercase hex SHA-256 of the certificate's DER, as `SignatureReport` gives it.
    pub fn fingerprint_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.cert_der))
    }

    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// Whether a verified signature is ours and covers the whole file.
    pub fn verify_is_ours(&self, report: &SignatureReport) -> bool {
        report.whole_document && report.cert_fingerprint_sha256 == self.fingerprint_sha256()
    }

    fn load(dir: &Path) -> Result<Signer, SigningError> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read_to_string(&path).map_err(|e| (path, e))
        };
        let key_pem = read(KEY_FILE)
            .map_err(|(path, e)| SigningError::KeyUnreadable(format!("{}: {e}", path.display())))?;
        let cert_pem = read(CERT_FILE).map_err(|(path, e)| {
            SigningError::CertUnreadable(format!("{}: {e}", path.display()))
        })?;
        Self::import_pem(&key_pem, &cert_pem)
    }

    /// Both files: the pair; neither: `None`. One alone is waited on briefly, since
    /// another instance may be between writing the key and the certificate.
    fn load_existing(dir: &Path) -> Result<Option<Signer>, SigningError> {
        let (key, cert) = (dir.join(KEY_FILE), dir.join(CERT_FILE));
        for _ in 0..10 {
            let exists = |p: &Path| p.try_exists().map_err(io_at(p));
            match (exists(&key)?, exists(&cert)?) {
                (true, true) => return Self::load(dir).map(Some),
                (false, false) => return Ok(None),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        let (present, missing) = if key.exists() {
            (key, cert)
        } else {
            (cert, key)
        };
        Err(SigningError::Incomplete { present, missing })
    }

    /// Installs a new pair unless another process got there first (then `false`):
    /// a hard link never replaces an existing key file, unlike a rename.
    fn claim(&self, dir: &Path) -> Result<bool, SigningError> {
        let (key_tmp, cert_tmp) = self.write_temps(dir)?;
        let key_path = dir.join(KEY_FILE);
        let linked = fs::hard_link(&key_tmp, &key_path);
        let _ = fs::remove_file(&key_tmp);
        match linked {
            Ok(()) => {
                rename(&cert_tmp, &dir.join(CERT_FILE))?;
                sync_dir(dir)?;
                Ok(true)
            }
            Err(e) => {
                let _ = fs::remove_file(&cert_tmp);
                match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Ok(false),
                    _ => Err(io_at(&key_path)(e)),
                }
            }
        }
    }

    fn write_temps(&self, dir: &Path) -> Result<(PathBuf, PathBuf), SigningError> {
        let key_pem = self
            .key
            .as_ref()
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| SigningError::KeyUnreadable(e.to_string()))?;
        let key_tmp = write_temp(dir, KEY_FILE, key_pem.as_bytes(), 0o600)?;
        let cert_tmp = match self.certificate_pem() {
            Ok(pem) => write_temp(dir, CERT_FILE, pem.as_bytes(), 0o644),
            Err(e) => Err(e),
        };
        match cert_tmp {
            Ok(cert_tmp) => Ok((key_tmp, cert_tmp)),
            Err(e) => {
                let _ = fs::remove_file(&key_tmp);
                Err(e)
            }
        }
    }

    /// Checks the key and picks, among `certs`, the certificate of its public key.
    fn from_parts(key: RsaPrivateKey, mut certs: Vec<Certificate>) -> Result<Signer, SigningError> {
        key.validate()
            .map_err(|e| SigningError::KeyUnreadable(e.to_string()))?;
        if key.size() * 8 < MIN_KEY_BITS {
            return Err(SigningError::KeyUnreadable(format!(
                "RSA key of {} bits; at least {MIN_KEY_BITS} needed",
                key.size() * 8
            )));
        }
        if certs.is_empty() {
            return Err(SigningError::CertUnreadable("no certificate".into()));
        }
        let public = key.to_public_key();
        let pos = certs
            .iter()
            .position(|c| rsa_public_key(c).is_some_and(|k| k == public))
            .ok_or(SigningError::KeyCertMismatch)?;
        let cert = certs.remove(pos);
        let cert_der = cert
            .to_der()
            .map_err(|e| SigningError::CertUnreadable(e.to_string()))?;
        Ok(Signer {
            key: SigningKey::new(key),
            cert,
            cert_der,
            chain: certs,
        })
    }

    /// The detached CMS SignedData over a document whose SHA-256 is `digest`.
    fn cms_signature(&self, digest: &[u8]) -> Result<Vec<u8>, SigningError> {
        let crypto = |e: &dyn std::fmt::Display| SigningError::Crypto(e.to_string());
        let content = EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: None,
        };
        let tbs = &self.cert.tbs_certificate;
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        });
        let sha256 = AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: None,
        };
        let ess = self.signing_certificate_v2().map_err(|e| crypto(&e))?;
        let mut signer_info =
            SignerInfoBuilder::new(&self.key, sid, sha256.clone(), &content, Some(digest))
                .map_err(|e| crypto(&e))?;
        signer_info
            .add_signed_attribute(ess)
            .map_err(|e| crypto(&e))?;
        let mut signed = SignedDataBuilder::new(&content);
        signed
            .add_digest_algorithm(sha256)
            .map_err(|e| crypto(&e))?;
        for cert in std::iter::once(&self.cert).chain(&self.chain) {
            signed
                .add_certificate(CertificateChoices::Certificate(cert.clone()))
                .map_err(|e| crypto(&e))?;
        }
        signed
            .add_signer_info::<_, rsa::pkcs1v15::Signature>(signer_info)
            .map_err(|e| crypto(&e))?;
        let info = signed.build().map_err(|e| crypto(&e))?;
        info.to_der().map_err(|e| crypto(&e))
    }

    /// ESS signing-certificate-v2 (RFC 5035): binds the signature to this certificate,
    /// which CAdES (and so PAdES) requires.
    fn signing_certificate_v2(&self) -> der::Result<Attribute> {
        let tbs = &self.cert.tbs_certificate;
        let value = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(Sha256::digest(&self.cert_der).to_vec())?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                    serial_number: tbs.serial_number.clone(),
                }),
            }],
            policies: None,
        };
        Ok(Attribute {
            oid: rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            values: SetOfVec::try_from(vec![Any::encode_from(&value)?])?,
        })
    }

    /// Room for the CMS in `/Contents`: the certificates plus 3 KiB for the rest,
    /// about twice what a 4096-bit signature with its attributes and structure takes.
    fn contents_capacity(&self) -> usize {
        let certs: usize = self.cert_der.len()
            + self
                .chain
                .iter()
                .map(|c| c.to_der().map_or(2048, |d| d.len()))
                .sum::<usize>();
        certs + 3072
    }
}

/// RFC 5035. The optional parts are there for reading other signers' attributes.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Vec<Any>>,
}

#[derive(Sequence)]
struct EssCertIdV2 {
    /// We leave it out: its DEFAULT is SHA-256, and DER omits defaults.
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

fn parse_key_pem(pem: &str) -> Result<RsaPrivateKey, SigningError> {
    if pem.contains("ENCRYPTED PRIVATE KEY") {
        return Err(SigningError::KeyUnreadable(
            "the key is encrypted: import it as PKCS#12, or decrypt it first".into(),
        ));
    }
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|e| RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| e))
        .map_err(|e| {
            SigningError::KeyUnreadable(format!("not an RSA key in PKCS#8 or PKCS#1 PEM: {e}"))
        })
}

fn rsa_public_key(cert: &Certificate) -> Option<RsaPublicKey> {
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    RsaPublicKey::from_public_key_der(&spki).ok()
}

fn name(common_name: &str, organization: &str) -> der::Result<Name> {
    let rdn = |oid: ObjectIdentifier, value: &str| -> der::Result<RelativeDistinguishedName> {
        let value = Any::new(Tag::Utf8String, value.as_bytes())?;
        Ok(RelativeDistinguishedName(SetOfVec::try_from(vec![
            AttributeTypeAndValue { oid, value },
        ])?))
    };
    Ok(RdnSequence(vec![
        rdn(rfc4519::O, organization)?,
        rdn(rfc4519::CN, common_name)?,
    ]))
}

/// 16 random bytes, the first forced to 01xxxxxx: positive and of full length.
fn random_serial() -> der::Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x3f) | 0x40;
    SerialNumber::new(&bytes)
}

/// Starts a day back so that a slightly slow clock elsewhere still finds it valid.
fn ten_years_from_yesterday() -> Result<Validity, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let start = now.saturating_sub(Duration::from_secs(86_400));
    let time = |d: Duration| {
        GeneralizedTime::from_unix_duration(d)
            .map(Time::GeneralTime)
            .map_err(|e| e.to_string())
    };
    Ok(Validity {
        not_before: time(start)?,
        not_after: time(start + TEN_YEARS)?,
    })
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> SigningError + '_ {
    move |source| SigningError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A fully written and synced file beside its final name, with its final mode.
fn write_temp(dir: &Path, name: &str, bytes: &[u8], mode: u32) -> Result<PathBuf, SigningError> {
    let path = dir.join(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        OsRng.next_u64()
    ));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let written = options.open(&path).and_then(|mut file| {
        file.write_all(bytes)?;
        // Explicitly, so that a restrictive umask cannot make the certificate unreadable.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        #[cfg(not(unix))]
        let _ = mode;
        file.sync_all()
    });
    written.map_err(|e| {
        let _ = fs::remove_file(&path);
        io_at(&path)(e)
    })?;
    Ok(path)
}

fn rename(from: &Path, to: &Path) -> Result<(), SigningError> {
    fs::rename(from, to).map_err(|e| {
        let _ = fs::remove_file(from);
        io_at(to)(e)
    })
}

/// Makes the renames durable.
fn sync_dir(dir: &Path) -> Result<(), SigningError> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

// ---------------------------------------------------------------------------
// Signing

/// Signs `pdf` (a classic-xref PDF such as printpdf writes) by appending an
/// incremental update; the bytes of `pdf` are kept as they are.
pub fn sign_pdf(pdf: &[u8], signer: &Signer, info: &SignInfo) -> Result<Vec<u8>, SigningError> {
    let base = Base::read(pdf)?;
    let capacity = signer.contents_capacity();
    let mut out = Vec::with_capacity(pdf.len() + 2 * capacity + 4096);
    out.extend_from_slice(pdf);
    if !pdf.ends_with(b"\n") {
        out.push(b'\n');
    }
    let slots = write_update(&mut out, &base, info, capacity)?;
    let (head, tail) = slots.fill_byte_range(&mut out)?;
    let mut hasher = Sha256::new();
    hasher.update(head);
    hasher.update(tail);
    let cms = signer.cms_signature(&hasher.finalize())?;
    slots.fill_contents(&mut out, &cms)?;
    Ok(out)
}

/// What the update needs from the original file: the objects it rewrites, with any
/// indirect `/Fields` and `/Annots` arrays resolved, and where numbering goes on.
struct Base {
    root: lopdf::ObjectId,
    catalog: lopdf::Dictionary,
    /// The existing `/AcroForm /Fields` (an indirect array resolved).
    fields: Vec<Object>,
    acroform: lopdf::Dictionary,
    page: lopdf::ObjectId,
    page_dict: lopdf::Dictionary,
    annots: Vec<Object>,
    info: Option<lopdf::ObjectId>,
    id: Option<Vec<u8>>,
    next_number: u32,
    prev_xref: usize,
}

impl Base {
    fn read(pdf: &[u8]) -> Result<Base, SigningError> {
        let err = |e: &dyn std::fmt::Display| SigningError::Pdf(e.to_string());
        let doc = lopdf::Document::load_mem(pdf).map_err(|e| err(&e))?;
        if doc.trailer.has(b"Encrypt") {
            return Err(err(&"encrypted PDF"));
        }
        // A classic xref section may not point back at a cross-reference stream.
        if !pdf
            .get(doc.xref_start..)
            .is_some_and(|s| s.starts_with(b"xref"))
        {
            return Err(err(&"cross-reference streams are not supported"));
        }
        let root = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|e| err(&e))?;
        let mut catalog = doc.get_dictionary(root).map_err(|e| err(&e))?.clone();
        let acroform = match catalog.remove(b"AcroForm") {
            Some(obj) => resolve(&doc, &obj)?.as_dict().map_err(|e| err(&e))?.clone(),
            None => lopdf::Dictionary::new(),
        };
        let fields = resolved_array(&doc, acroform.get(b"Fields").ok())?;
        let page = *doc
            .get_pages()
            .get(&1)
            .ok_or_else(|| err(&"the PDF has no page"))?;
        let page_dict = doc.get_dictionary(page).map_err(|e| err(&e))?.clone();
        let annots = resolved_array(&doc, page_dict.get(b"Annots").ok())?;
        let size = doc
            .trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0);
        let id = doc
            .trailer
            .get(b"ID")
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|o| o.as_str().ok())
            .map(<[u8]>::to_vec);
        Ok(Base {
            root,
            catalog,
            fields,
            acroform,
            page,
            page_dict,
            annots,
            info: doc.trailer.get(b"Info").and_then(Object::as_reference).ok(),
            id,
            next_number: size.max(doc.max_id.saturating_add(1)),
            prev_xref: doc.xref_start,
        })
    }
}

fn resolve<'a>(doc: &'a lopdf::Document, obj: &'a Object) -> Result<&'a Object, SigningError> {
    doc.dereference(obj)
        .map(|(_, o)| o)
        .map_err(|e| SigningError::Pdf(e.to_string()))
}

fn resolved_array(
    doc: &lopdf::Document,
    obj: Option<&Object>,
) -> Result<Vec<Object>, SigningError> {
    match obj {
        None => Ok(Vec::new()),
        Some(obj) => resolve(doc, obj)?
            .as_array()
            .cloned()
            .map_err(|e| SigningError::Pdf(e.to_string())),
    }
}

/// Where the placeholders of the signature dictionary sit in the output.
struct Slots {
    byte_range: usize,
    /// The `<` of `/Contents`.
    contents: usize,
    /// Bytes of CMS the hex string has room for.
    capacity: usize,
}

impl Slots {
    fn contents_end(&self) -> usize {
        self.contents + 2 * self.capacity + 2
    }

    /// Writes the `/ByteRange` and returns the two signed parts.
    fn fill_byte_range<'a>(&self, out: &'a mut [u8]) -> Result<(&'a [u8], &'a [u8]), SigningError> {
        let end = self.contents_end();
        let text = format!(
            "0 {} {} {}",
            self.contents,
            end,
            out.len().saturating_sub(end)
        );
        let slot = out
            .get_mut(self.byte_range..self.byte_range + text.len().min(BYTE_RANGE_WIDTH))
            .filter(|s| s.len() == text.len())
            .ok_or_else(|| SigningError::Pdf("file too large for the ByteRange".into()))?;
        slot.copy_from_slice(text.as_bytes());
        let out: &'a [u8] = out;
        match (out.get(..self.contents), out.get(end..)) {
            (Some(head), Some(tail)) => Ok((head, tail)),
            _ => Err(SigningError::Pdf("placeholder outside the file".into())),
        }
    }

    fn fill_contents(&self, out: &mut [u8], cms: &[u8]) -> Result<(), SigningError> {
        let hex = hex::encode_upper(cms);
        if cms.len() > self.capacity {
            return Err(SigningError::Crypto(format!(
                "signature of {} bytes exceeds the {} reserved",
                cms.len(),
                self.capacity
            )));
        }
        let start = self.contents + 1;
        out.get_mut(start..start + hex.len())
            .ok_or_else(|| SigningError::Pdf("placeholder outside the file".into()))?
            .copy_from_slice(hex.as_bytes());
        Ok(())
    }
}

/// Appends the signature dictionary, the field, page 1, the catalog, an xref section
/// and the trailer; returns where the placeholders are.
fn write_update(
    out: &mut Vec<u8>,
    base: &Base,
    info: &SignInfo,
    capacity: usize,
) -> Result<Slots, SigningError> {
    let sig = (base.next_number, 0);
    let widget = (base.next_number + 1, 0);
    let mut xref: Vec<(lopdf::ObjectId, usize)> = Vec::new();

    xref.push((sig, out.len()));
    let head = format!(
        "{} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
         /Name {} /Reason {} /Location {} /M ({}) /ByteRange [",
        sig.0,
        text_string(&info.name),
        text_string(&info.reason),
        text_string(&info.location),
        pdf_date(info.signing_time_unix)?,
    );
    out.extend_from_slice(head.as_bytes());
    let byte_range = out.len();
    out.extend(std::iter::repeat_n(b' ', BYTE_RANGE_WIDTH));
    out.extend_from_slice(b"] /Contents ");
    let contents = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * capacity));
    out.extend_from_slice(b"> >>\nendobj\n");

    // Invisible (zero rect), printed and locked (F 4 + 128), on page 1.
    let name = format!("Signature{}", base.fields.len() + 1);
    let field = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T ({name}) /V {} 0 R \
         /Rect [0 0 0 0] /F 132 /P {} {} R >>",
        sig.0, base.page.0, base.page.1
    );
    write_object(out, &mut xref, widget, field.as_bytes());

    let mut page = base.page_dict.clone();
    let mut annots = base.annots.clone();
    annots.push(Object::Reference(widget));
    page.set("Annots", annots);
    write_object(out, &mut xref, base.page, &serialize_dict(&page)?);

    let mut acroform = base.acroform.clone();
    let mut fields = base.fields.clone();
    fields.push(Object::Reference(widget));
    acroform.set("Fields", fields);
    // SignaturesExist | AppendOnly: viewers must save later edits incrementally.
    acroform.set("SigFlags", 3);
    let mut catalog = base.catalog.clone();
    catalog.set("AcroForm", acroform);
    write_object(out, &mut xref, base.root, &serialize_dict(&catalog)?);

    write_xref_and_trailer(out, base, &xref, widget.0 + 1);
    Ok(Slots {
        byte_range,
        contents,
        capacity,
    })
}

fn write_object(
    out: &mut Vec<u8>,
    xref: &mut Vec<(lopdf::ObjectId, usize)>,
    id: lopdf::ObjectId,
    body: &[u8],
) {
    xref.push((id, out.len()));
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendobj\n");
}

/// One subsection per object (any grouping is valid), then the trailer chaining
/// back to the original xref with /Prev.
fn write_xref_and_trailer(
    out: &mut Vec<u8>,
    base: &Base,
    xref: &[(lopdf::ObjectId, usize)],
    size: u32,
) {
    let start = out.len();
    let mut text = String::from("xref\n");
    let mut sorted = xref.to_vec();
    sorted.sort();
    for ((number, generation), offset) in sorted {
        text.push_str(&format!("{number} 1\n{offset:010} {generation:05} n\r\n"));
    }
    // The first ID is the document's permanent one; the second changes with each
    // update. Derived from the bytes so far, so that signing is deterministic.
    let so_far = Sha256::digest(&*out);
    let id0 = base
        .id
        .clone()
        .unwrap_or_else(|| so_far.get(..16).unwrap_or_default().to_vec());
    let id1 = so_far.get(16..).unwrap_or_default();
    let info = base
        .info
        .map(|(n, g)| format!(" /Info {n} {g} R"))
        .unwrap_or_default();
    text.push_str(&format!(
        "trailer\n<< /Size {} /Root {} {} R{info} /ID [<{}> <{}>] /Prev {} >>\nstartxref\n{start}\n%%EOF\n",
        size,
        base.root.0,
        base.root.1,
        hex::encode_upper(&id0),
        hex::encode_upper(id1),
        base.prev_xref,
    ));
    out.extend_from_slice(text.as_bytes());
}

/// A PDF text string as UTF-16BE hex with a byte-order mark: safe for any text.
fn text_string(s: &str) -> String {
    let mut hex = String::from("<FEFF");
    for unit in s.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    hex.push('>');
    hex
}

fn pdf_date(unix: i64) -> Result<String, SigningError> {
    let t = u64::try_from(unix)
        .ok()
        .and_then(|s| der::DateTime::from_unix_duration(Duration::from_secs(s)).ok())
        .ok_or_else(|| SigningError::Pdf(format!("signing time {unix} out of range")))?;
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    ))
}

fn serialize_dict(dict: &lopdf::Dictionary) -> Result<Vec<u8>, SigningError> {
    let mut out = Vec::new();
    write_pdf_object(&mut out, &Object::Dictionary(dict.clone()))?;
    Ok(out)
}

/// PDF syntax for one direct object (a page or catalog holds no inline streams).
fn write_pdf_object(out: &mut Vec<u8>, obj: &Object) -> Result<(), SigningError> {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        // Rust never prints floats with an exponent, which PDF would not accept.
        Object::Real(r) if r.is_finite() => out.extend_from_slice(r.to_string().as_bytes()),
        Object::Real(_) => out.push(b'0'),
        Object::Name(name) => write_name(out, name),
        Object::String(bytes, _) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(bytes).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_pdf_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            out.extend_from_slice(b"<<");
            for (key, value) in dict.iter() {
                write_name(out, key);
                out.push(b' ');
                write_pdf_object(out, value)?;
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference((n, g)) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        Object::Stream(_) => {
            return Err(SigningError::Pdf(
                "an inline stream cannot be rewritten".into(),
            ));
        }
    }
    Ok(())
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if (0x21..=0x7e).contains(&b) && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

// ---------------------------------------------------------------------------
// Verification

/// Verifies the last signature in `pdf`. Never panics, whatever the input.
pub fn verify_pdf(pdf: &[u8]) -> Result<SignatureReport, VerifyError> {
    let region = SignedRegion::find(pdf)?;
    let signed_data = parse_cms(&region.cms(pdf)?)?;
    let signer = sole_signer(&signed_data)?;
    let alg = DigestAlg::from_oid(signer.digest_alg.oid)?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| VerifyError::Unsupported("no signed attributes".into()))?;
    check_content_type(attrs)?;
    let claimed = attr_value(attrs, rfc5911::ID_MESSAGE_DIGEST)?
        .ok_or_else(|| malformed("no message-digest attribute"))?
        .decode_as::<OctetString>()
        .map_err(malformed)?;
    if claimed.as_bytes() != alg.hash(&region.signed_parts(pdf)) {
        return Err(VerifyError::DigestMismatch);
    }
    let cert = find_signer_cert(&signed_data, &signer.sid)
        .ok_or_else(|| malformed("the signer's certificate is not embedded"))?;
    check_signature(signer, cert, alg)?;
    let cert_der = cert.to_der().map_err(malformed)?;
    check_signing_certificate(attrs, &cert_der)?;
    Ok(SignatureReport {
        signer_subject: cert.tbs_certificate.subject.to_string(),
        cert_fingerprint_sha256: hex::encode(Sha256::digest(&cert_der)),
        signing_time_unix: cms_signing_time(attrs).or_else(|| region.claimed_time(pdf)),
        whole_document: region.end == pdf.len(),
    })
}

/// The last `/ByteRange` and the `/Contents` hex string it leaves out.
struct SignedRegion {
    keyword: usize,
    /// The `<`…`>` of `/Contents`, as `start..end`.
    gap: (usize, usize),
    /// Where the second signed part ends.
    end: usize,
}

impl SignedRegion {
    fn find(pdf: &[u8]) -> Result<SignedRegion, VerifyError> {
        let keyword = rfind(pdf, b"/ByteRange").ok_or(VerifyError::NotSigned)?;
        let after = pdf.get(keyword + b"/ByteRange".len()..).unwrap_or_default();
        let [start, len1, start2, len2] = parse_four_integers(after)
            .ok_or_else(|| malformed("ByteRange is not four integers"))?;
        if start != 0 {
            return Err(malformed("ByteRange does not start at 0"));
        }
        let end = start2
            .checked_add(len2)
            .filter(|&end| end <= pdf.len())
            .ok_or_else(|| malformed("ByteRange reaches past the end of the file"))?;
        let gap = pdf
            .get(len1..start2)
            .ok_or_else(|| malformed("ByteRange parts overlap"))?;
        if !is_hex_string(gap) {
            return Err(malformed(
                "the unsigned gap is not exactly the /Contents hex string",
            ));
        }
        // The dictionary must itself be signed, or its /M and ranges could be anyone's.
        if !(keyword < len1 || (start2..end).contains(&keyword)) {
            return Err(malformed(
                "the signature dictionary lies outside the signed bytes",
            ));
        }
        Ok(SignedRegion {
            keyword,
            gap: (len1, start2),
            end,
        })
    }

    fn signed_parts<'a>(&self, pdf: &'a [u8]) -> [&'a [u8]; 2] {
        [
            pdf.get(..self.gap.0).unwrap_or_default(),
            pdf.get(self.gap.1..self.end).unwrap_or_default(),
        ]
    }

    /// The CMS bytes; the placeholder's zero padding after the DER is left on.
    fn cms(&self, pdf: &[u8]) -> Result<Vec<u8>, VerifyError> {
        let hex = pdf
            .get(self.gap.0 + 1..self.gap.1 - 1)
            .ok_or_else(|| malformed("empty /Contents"))?;
        hex::decode(hex).map_err(malformed)
    }

    /// `/M` of the signature dictionary: from its `<<` up to `/Contents`, or in the
    /// few signed bytes after it up to `>>`.
    fn claimed_time(&self, pdf: &[u8]) -> Option<i64> {
        if self.keyword > self.gap.0 {
            return None;
        }
        let dict_start = rfind(pdf.get(..self.keyword)?, b"<<")?;
        let before = pdf.get(dict_start..self.gap.0)?;
        let rest = pdf.get(self.gap.1..self.end)?;
        let after = rest.get(..find(rest, b">>")?)?;
        find_date(before).or_else(|| find_date(after))
    }
}

fn parse_cms(bytes: &[u8]) -> Result<SignedData, VerifyError> {
    let mut reader = der::SliceReader::new(bytes).map_err(malformed)?;
    // Decoding one value leaves the placeholder's padding unread; it must be zeros,
    // so that no byte of the file can change unnoticed.
    let info = ContentInfo::decode(&mut reader).map_err(malformed)?;
    let used = usize::try_from(der::Reader::position(&reader)).map_err(malformed)?;
    if !bytes
        .get(used..)
        .unwrap_or_default()
        .iter()
        .all(|&b| b == 0)
    {
        return Err(malformed("bytes after the CMS in /Contents"));
    }
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(malformed("the CMS is not SignedData"));
    }
    info.content.decode_as::<SignedData>().map_err(malformed)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigestAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    fn from_oid(oid: ObjectIdentifier) -> Result<DigestAlg, VerifyError> {
        match oid {
            rfc5912::ID_SHA_256 => Ok(DigestAlg::Sha256),
            rfc5912::ID_SHA_384 => Ok(DigestAlg::Sha384),
            rfc5912::ID_SHA_512 => Ok(DigestAlg::Sha512),
            other => Err(VerifyError::Unsupported(format!("digest {other}"))),
        }
    }

    fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            DigestAlg::Sha256 => run::<Sha256>(parts),
            DigestAlg::Sha384 => run::<Sha384>(parts),
            DigestAlg::Sha512 => run::<Sha512>(parts),
        }
    }

    fn pkcs1(self) -> Pkcs1v15Sign {
        match self {
            DigestAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
            DigestAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
            DigestAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
        }
    }

    fn with_rsa(self) -> ObjectIdentifier {
        match self {
            DigestAlg::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            DigestAlg::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
            DigestAlg::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
        }
    }
}

/// The one signer, with the parts of SignedData outside the signed attributes
/// checked for consistency: detached id-data, the versions RFC 5652 5.1 and 5.3
/// prescribe, the digest algorithm listed.
fn sole_signer(data: &SignedData) -> Result<&SignerInfo, VerifyError> {
    let mut signers = data.signer_infos.0.iter();
    let (Some(signer), None) = (signers.next(), signers.next()) else {
        return Err(malformed("not exactly one signer"));
    };
    let encap = &data.encap_content_info;
    if encap.econtent.is_some() || encap.econtent_type != rfc5911::ID_DATA {
        return Err(malformed("the CMS is not detached data"));
    }
    let version = match signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
        SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
    };
    if signer.version != version || data.version != version {
        return Err(malformed("CMS version does not match its structure"));
    }
    if !data
        .digest_algorithms
        .iter()
        .any(|a| *a == signer.digest_alg)
    {
        return Err(malformed("the signer's digest algorithm is not listed"));
    }
    Ok(signer)
}

/// The value of a signed attribute, which RFC 5652 (and ESS) allow only once.
fn attr_value(attrs: &Attributes, oid: ObjectIdentifier) -> Result<Option<&Any>, VerifyError> {
    let Some(attr) = attrs.iter().find(|a| a.oid == oid) else {
        return Ok(None);
    };
    match (attr.values.len(), attr.values.iter().next()) {
        (1, Some(value)) => Ok(Some(value)),
        _ => Err(malformed(format!(
            "attribute {oid} without exactly one value"
        ))),
    }
}

/// The ESS attribute must name the embedded certificate: the certificate lies outside
/// the signed attributes, and could otherwise be swapped for another with the same key.
fn check_signing_certificate(attrs: &Attributes, cert_der: &[u8]) -> Result<(), VerifyError> {
    let Some(value) = attr_value(attrs, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)? else {
        return Ok(());
    };
    let ess = value
        .decode_as::<SigningCertificateV2>()
        .map_err(malformed)?;
    let first = ess
        .certs
        .first()
        .ok_or_else(|| malformed("empty signing-certificate-v2"))?;
    let alg = match &first.hash_algorithm {
        None => DigestAlg::Sha256,
        Some(alg) => DigestAlg::from_oid(alg.oid)?,
    };
    if first.cert_hash.as_bytes() != alg.hash(&[cert_der]) {
        return Err(VerifyError::BadSignature);
    }
    Ok(())
}

fn check_content_type(attrs: &Attributes) -> Result<(), VerifyError> {
    let content_type = attr_value(attrs, rfc5911::ID_CONTENT_TYPE)?
        .ok_or_else(|| malformed("no content-type attribute"))?
        .decode_as::<ObjectIdentifier>()
        .map_err(malformed)?;
    if content_type != rfc5911::ID_DATA {
        return Err(malformed("content type is not id-data"));
    }
    Ok(())
}

fn cms_signing_time(attrs: &Attributes) -> Option<i64> {
    // Time is a CHOICE, so it decodes from the whole TLV rather than as a value.
    let der = attr_value(attrs, rfc5911::ID_SIGNING_TIME)
        .ok()??
        .to_der()
        .ok()?;
    let time = Time::from_der(&der).ok()?;
    i64::try_from(time.to_unix_duration().as_secs()).ok()
}

fn find_signer_cert<'a>(data: &'a SignedData, sid: &SignerIdentifier) -> Option<&'a Certificate> {
    data.certificates
        .as_ref()?
        .0
        .iter()
        .find_map(|choice| match choice {
            CertificateChoices::Certificate(cert) if identifies(sid, cert) => Some(cert),
            _ => None,
        })
}

fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            tbs.issuer == isn.issuer && tbs.serial_number == isn.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .get::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, own)| own == *ski),
    }
}

/// RSA PKCS#1 v1.5 over the DER of the signed attributes, tagged as a SET OF (not
/// the [0] they carry inside SignerInfo), per RFC 5652 5.4.
fn check_signature(
    signer: &SignerInfo,
    cert: &Certificate,
    alg: DigestAlg,
) -> Result<(), VerifyError> {
    let sig_alg = signer.signature_algorithm.oid;
    if sig_alg != rfc5912::RSA_ENCRYPTION && sig_alg != alg.with_rsa() {
        return Err(VerifyError::Unsupported(format!(
            "signature algorithm {sig_alg}"
        )));
    }
    if !null_or_absent(&signer.signature_algorithm) || !null_or_absent(&signer.digest_alg) {
        return Err(malformed("algorithm parameters where none belong"));
    }
    let key = rsa_public_key(cert)
        .ok_or_else(|| VerifyError::Unsupported("the certificate key is not RSA".into()))?;
    let attrs = signer.signed_attrs.as_ref().map(Encode::to_der);
    let Some(Ok(attrs)) = attrs else {
        return Err(malformed("signed attributes cannot be encoded"));
    };
    key.verify(
        alg.pkcs1(),
        &alg.hash(&[&attrs]),
        signer.signature.as_bytes(),
    )
    .map_err(|_| VerifyError::BadSignature)
}

/// RSA PKCS#1 v1.5 and the SHA-2 digests take no parameters: absent, or NULL.
fn null_or_absent(alg: &AlgorithmIdentifierOwned) -> bool {
    alg.parameters.as_ref().is_none_or(|p| p.is_null())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn skip_space(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| PDF_SPACE.contains(b)).count();
    s.get(n..).unwrap_or_default()
}

/// `[a b c d]` of non-negative integers, after optional whitespace.
fn parse_four_integers(s: &[u8]) -> Option<[usize; 4]> {
    let mut s = skip_space(s).strip_prefix(b"[")?;
    let mut out = [0usize; 4];
    for slot in &mut out {
        s = skip_space(s);
        let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
        // Twelve digits reach a terabyte and cannot overflow.
        if digits == 0 || digits > 12 {
            return None;
        }
        *slot = std::str::from_utf8(s.get(..digits)?).ok()?.parse().ok()?;
        s = s.get(digits..)?;
    }
    skip_space(s).strip_prefix(b"]").map(|_| out)
}

/// `<` hex digits `>`: an even number of them, at least one byte.
fn is_hex_string(s: &[u8]) -> bool {
    match s {
        [b'<', inner @ .., b'>'] => {
            !inner.is_empty() && inner.len() % 2 == 0 && inner.iter().all(u8::is_ascii_hexdigit)
        }
        _ => false,
    }
}

/// The first `/M (D:…)` in `s`.
fn find_date(s: &[u8]) -> Option<i64> {
    let mut rest = s;
    while let Some(pos) = find(rest, b"/M") {
        let after = rest.get(pos + 2..)?;
        let value = skip_space(after);
        // "/M" followed by a delimiter, not the start of a longer name like /MaxLen.
        if let Some(literal) = value.strip_prefix(b"(") {
            let close = literal.iter().position(|&b| b == b')')?;
            return parse_pdf_date(literal.get(..close)?);
        }
        rest = after;
    }
    None
}

/// `D:YYYYMMDDHHmmSS` with `Z`, `+HH'mm'` or `-HH'mm'` (or nothing, taken as UTC).
fn parse_pdf_date(s: &[u8]) -> Option<i64> {
    let s = s.strip_prefix(b"D:").unwrap_or(s);
    let digits = s.get(..14)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u16> {
        std::str::from_utf8(digits.get(range)?).ok()?.parse().ok()
    };
    let byte = |range| num(range).and_then(|n| u8::try_from(n).ok());
    let local = der::DateTime::new(
        num(0..4)?,
        byte(4..6)?,
        byte(6..8)?,
        byte(8..10)?,
        byte(10..12)?,
        byte(12..14)?,
    )
    .ok()?;
    let local = i64::try_from(local.unix_duration().as_secs()).ok()?;
    let offset = match s.get(14) {
        Some(sign @ (b'+' | b'-')) => {
            let zone = s.get(15..)?;
            let hours = std::str::from_utf8(zone.get(..2)?)
                .ok()?
                .parse::<i64>()
                .ok()?;
            let minutes = zone
                .get(3..5)
                .and_then(|m| std::str::from_utf8(m).ok()?.parse::<i64>().ok())
                .unwrap_or(0);
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => 0,
    };
    Some(local - offset)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    const CN: &str = "Pingyi 评议 会议纪要签章";

    /// One key for the whole module: RSA key generation is slow in debug builds.
    fn signer() -> &'static Signer {
        static SIGNER: OnceLock<Signer> = OnceLock::new();
        SIGNER.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let keys = dir.path().join("keys");
            let created = Signer::load_or_create(&keys, CN).unwrap();
            let reloaded = Signer::load_or_create(&keys, "another name").unwrap();
            assert_eq!(created.fingerprint_sha256(), reloaded.fingerprint_sha256());
            created
        })
    }

    fn info() -> SignInfo {
        SignInfo {
            name: "海宁市信访局".into(),
            reason: "听证评议会议纪要 / hearing minutes".into(),
            location: "海宁市信访局三楼会议室".into(),
            signing_time_unix: 1_796_270_400, // 2026-12-03 04:00 UTC
        }
    }

    /// A small document as printpdf writes it, with a builtin font.
    fn sample_pdf(pages: usize) -> Vec<u8> {
        use printpdf::{
            BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
            TextItem,
        };
        let pages = (1..=pages)
            .map(|n| {
                let ops = vec![
                    Op::StartTextSection,
                    Op::SetTextCursor {
                        pos: Point {
                            x: Pt(72.0),
                            y: Pt(700.0),
                        },
                    },
                    Op::SetFont {
                        font: PdfFontHandle::Builtin(BuiltinFont::Helvetica),
                        size: Pt(12.0),
                    },
                    Op::ShowText {
                        items: vec![TextItem::Text(format!("Minutes page {n}"))],
                    },
                    Op::EndTextSection,
                ];
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect();
        let mut doc = PdfDocument::new("签章测试");
        doc.with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new())
    }

    fn signed_sample() -> &'static [u8] {
        static SIGNED: OnceLock<Vec<u8>> = OnceLock::new();
        SIGNED.get_or_init(|| sign_pdf(&sample_pdf(2), signer(), &info()).unwrap())
    }

    fn region(pdf: &[u8]) -> SignedRegion {
        SignedRegion::find(pdf).unwrap()
    }

    #[test]
    fn signer_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Signer>();
    }

    #[test]
    fn self_signed_certificate_is_as_specified() {
        let s = signer();
        let tbs = &s.cert.tbs_certificate;
        assert!(s.subject().contains(CN) && s.subject().contains("O=Pingyi"));
        assert_eq!(tbs.issuer, tbs.subject);
        let serial = tbs.serial_number.as_bytes();
        assert_eq!(serial.len(), 16);
        assert!(serial[0] & 0x80 == 0, "serial must be positive");
        let (critical, bc) = tbs.get::<BasicConstraints>().unwrap().unwrap();
        assert!(critical && bc.ca);
        let (_, KeyUsage(usage)) = tbs.get::<KeyUsage>().unwrap().unwrap();
        assert!(usage.contains(KeyUsages::DigitalSignature));
        assert!(usage.contains(KeyUsages::NonRepudiation));
        assert!(usage.contains(KeyUsages::KeyCertSign));
        assert!(tbs.get::<SubjectKeyIdentifier>().unwrap().is_some());
        let validity = &tbs.validity;
        let years = validity.not_after.to_unix_duration() - validity.not_before.to_unix_duration();
        assert!(years >= Duration::from_secs(3650 * 86_400));
        assert_eq!(s.key.as_ref().size() * 8, KEY_BITS);
        assert_eq!(s.fingerprint_sha256().len(), 64);
        assert_eq!(
            s.fingerprint_sha256(),
            hex::encode(Sha256::digest(s.certificate_der()))
        );
    }

    #[cfg(unix)]
    #[test]
    fn saved_files_have_modes_and_reload_to_the_same_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("nested").join("keys");
        signer().save_to(&keys).unwrap();
        let mode = |name: &str| fs::metadata(keys.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(KEY_FILE), 0o600);
        assert_eq!(mode(CERT_FILE), 0o644);
        let names: Vec<_> = fs::read_dir(&keys)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temp files left: {names:?}");
        let again = Signer::load_or_create(&keys, "ignored").unwrap();
        assert_eq!(again.fingerprint_sha256(), signer().fingerprint_sha256());
        // Saving over an existing pair replaces it.
        signer().save_to(&keys).unwrap();
    }

    #[test]
    fn one_file_alone_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        signer().save_to(dir.path()).unwrap();
        fs::remove_file(dir.path().join(CERT_FILE)).unwrap();
        let err = Signer::load_or_create(dir.path(), CN).unwrap_err();
        assert!(matches!(err, SigningError::Incomplete { .. }), "{err}");
        assert!(err.to_string().contains(CERT_FILE), "{err}");
    }

    #[test]
    fn garbled_key_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        signer().save_to(dir.path()).unwrap();
        fs::write(
            dir.path().join(KEY_FILE),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n",
        )
        .unwrap();
        let err = Signer::load_or_create(dir.path(), CN).unwrap_err();
        assert!(matches!(err, SigningError::KeyUnreadable(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("签章密钥无法读取 / signing key unreadable")
        );
        let err = Signer::import_pem("-----BEGIN ENCRYPTED PRIVATE KEY-----", "").unwrap_err();
        assert!(err.to_string().contains("encrypted"), "{err}");
    }

    #[test]
    fn pem_import_checks_the_key_against_the_certificate() {
        let s = signer();
        let key_pem = s.key.as_ref().to_pkcs8_pem(LineEnding::LF).unwrap();
        let cert_pem = s.certificate_pem().unwrap();
        let same = Signer::import_pem(&key_pem, &cert_pem).unwrap();
        assert_eq!(same.fingerprint_sha256(), s.fingerprint_sha256());
        // PKCS#1 ("BEGIN RSA PRIVATE KEY") as older tools write it.
        let pkcs1 =
            rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(s.key.as_ref(), LineEnding::LF).unwrap();
        assert!(Signer::import_pem(&pkcs1, &cert_pem).is_ok());
        let other = RsaPrivateKey::new(&mut OsRng, MIN_KEY_BITS).unwrap();
        let other_pem = other.to_pkcs8_pem(LineEnding::LF).unwrap();
        let err = Signer::import_pem(&other_pem, &cert_pem).unwrap_err();
        assert!(matches!(err, SigningError::KeyCertMismatch), "{err}");
        let err = Signer::import_pem(&key_pem, "not a certificate").unwrap_err();
        assert!(matches!(err, SigningError::CertUnreadable(_)), "{err}");
    }

    #[test]
    fn pkcs12_import_modern_and_legacy() {
        use p12_keystore::{EncryptionAlgorithm, KeyStore, KeyStoreEntry, PrivateKeyChain};
        let s = signer();
        let key_der = s.key.as_ref().to_pkcs8_der().unwrap();
        let cert = p12_keystore::Certificate::from_der(s.certificate_der()).unwrap();
        let mut store = KeyStore::new();
        let chain = PrivateKeyChain::new(key_der.as_bytes(), [1u8; 20], vec![cert]);
        store.add_entry("minutes", KeyStoreEntry::PrivateKeyChain(chain));
        for alg in [
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
        ] {
            let p12 = store
                .writer("口令 secret")
                .encryption_algorithm(alg)
                .encryption_iterations(2048)
                .write()
                .unwrap();
            let imported = Signer::import_pkcs12(&p12, "口令 secret").unwrap();
            assert_eq!(imported.fingerprint_sha256(), s.fingerprint_sha256());
            let err = Signer::import_pkcs12(&p12, "wrong").unwrap_err();
            assert!(matches!(err, SigningError::Pkcs12(_)), "{err}");
        }
        assert!(Signer::import_pkcs12(b"garbage", "x").is_err());
    }

    /// Files made by OpenSSL itself, with its default (AES, PBES2) and legacy
    /// (RC2-40 + 3DES) encryption, when the openssl command is there.
    #[test]
    fn pkcs12_import_of_openssl_files() {
        let dir = tempfile::tempdir().unwrap();
        signer().save_to(dir.path()).unwrap();
        for extra in [
            &[][..],
            &["-legacy"][..],
            &["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES"][..],
        ] {
            let out = dir.path().join("bundle.p12");
            let status = std::process::Command::new("openssl")
                .args(["pkcs12", "-export", "-passout", "pass:pw"])
                .arg("-inkey")
                .arg(dir.path().join(KEY_FILE))
                .arg("-in")
                .arg(dir.path().join(CERT_FILE))
                .arg("-out")
                .arg(&out)
                .args(extra)
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(_) if extra == ["-legacy"] => {
                    println!("openssl without the legacy provider; skipping -legacy");
                    continue;
                }
                Ok(s) => panic!("openssl pkcs12 {extra:?} failed: {s}"),
                Err(_) => {
                    println!("openssl not found; skipping the OpenSSL PKCS#12 test");
                    return;
                }
            }
            let imported = Signer::import_pkcs12(&fs::read(&out).unwrap(), "pw")
                .unwrap_or_else(|e| panic!("openssl pkcs12 {extra:?}: {e}"));
            assert_eq!(imported.fingerprint_sha256(), signer().fingerprint_sha256());
        }
    }

    #[test]
    fn printpdf_writes_a_classic_xref_table() {
        let pdf = sample_pdf(1);
        let start = rfind(&pdf, b"startxref").unwrap();
        let offset: usize = std::str::from_utf8(skip_space(&pdf[start + 9..]))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[offset..].starts_with(b"xref"));
    }

    #[test]
    fn signs_and_verifies() {
        let original = sample_pdf(2);
        let signed = &sign_pdf(&original, signer(), &info()).unwrap();
        assert!(
            signed.starts_with(&original),
            "the original bytes stay as they are"
        );
        let report = verify_pdf(signed).unwrap();
        assert_eq!(
            report.cert_fingerprint_sha256,
            signer().fingerprint_sha256()
        );
        assert_eq!(report.signer_subject, signer().subject());
        assert_eq!(report.signing_time_unix, Some(info().signing_time_unix));
        assert!(report.whole_document);
        assert!(signer().verify_is_ours(&report));
        // lopdf still reads it, and sees the field on page 1.
        let doc = lopdf::Document::load_mem(signed).unwrap();
        let catalog = doc.catalog().unwrap();
        let form = catalog.get(b"AcroForm").unwrap().as_dict().unwrap();
        assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
        let page = doc.get_dictionary(doc.get_pages()[&1]).unwrap();
        assert_eq!(page.get(b"Annots").unwrap().as_array().unwrap().len(), 1);
    }

    #[test]
    fn unsigned_file_is_not_signed() {
        assert_eq!(verify_pdf(&sample_pdf(1)), Err(VerifyError::NotSigned));
        assert_eq!(verify_pdf(b""), Err(VerifyError::NotSigned));
    }

    #[test]
    fn a_flipped_byte_in_either_signed_part_is_a_modification() {
        let signed = signed_sample();
        let r = region(signed);
        let keyword = r.keyword..r.keyword + "/ByteRange [".len() + BYTE_RANGE_WIDTH + 1;
        let positions = [
            0,
            9,
            r.gap.0 / 2,
            r.keyword - 1,
            r.gap.0 - 1,
            r.gap.1,
            r.gap.1 + 10,
            signed.len() - 3,
            signed.len() - 1,
        ];
        for pos in positions {
            assert!(
                !keyword.contains(&pos),
                "test flips the ByteRange itself at {pos}"
            );
            let mut bad = signed.to_vec();
            bad[pos] ^= 0x01;
            assert_eq!(
                verify_pdf(&bad),
                Err(VerifyError::DigestMismatch),
                "flip at {pos}"
            );
        }
    }

    #[test]
    fn any_flipped_byte_fails() {
        // Every position with the masks 0x01, 0x02, 0x10 and 0x80 passed once; a sample
        // keeps the test quick.
        let signed = signed_sample();
        for pos in (0..signed.len()).step_by(13) {
            let mut bad = signed.to_vec();
            // Not 0x20, which only changes the case of a hex digit in /Contents.
            bad[pos] ^= 0x01;
            assert!(verify_pdf(&bad).is_err(), "flip at {pos} went unnoticed");
        }
    }

    #[test]
    fn a_changed_contents_digit_fails() {
        let signed = signed_sample();
        let r = region(signed);
        let cms_len = parse_cms_len(&r.cms(signed).unwrap());
        for i in (0..2 * cms_len).step_by(37) {
            let pos = r.gap.0 + 1 + i;
            let mut bad = signed.to_vec();
            bad[pos] = if bad[pos] == b'0' { b'1' } else { b'0' };
            assert!(
                verify_pdf(&bad).is_err(),
                "contents digit {i} went unnoticed"
            );
        }
        println!(
            "CMS of {cms_len} bytes in room for {}",
            (r.gap.1 - r.gap.0 - 2) / 2
        );
        let mut bad = signed.to_vec();
        bad[r.gap.0 + 5] = b'x';
        assert!(matches!(verify_pdf(&bad), Err(VerifyError::Malformed(_))));
        let mut padded = signed.to_vec();
        padded[r.gap.1 - 3] = b'1';
        assert!(matches!(
            verify_pdf(&padded),
            Err(VerifyError::Malformed(_))
        ));
    }

    fn parse_cms_len(bytes: &[u8]) -> usize {
        let mut reader = der::SliceReader::new(bytes).unwrap();
        ContentInfo::decode(&mut reader).unwrap();
        der::Reader::position(&reader).try_into().unwrap()
    }

    #[test]
    fn an_appended_update_is_not_the_whole_document() {
        let mut longer = signed_sample().to_vec();
        longer.extend_from_slice(b"1 0 obj\n(appended)\nendobj\n");
        let report = verify_pdf(&longer).unwrap();
        assert!(!report.whole_document);
        assert!(!signer().verify_is_ours(&report));
    }

    #[test]
    fn signs_an_already_signed_file_again() {
        let twice = sign_pdf(signed_sample(), signer(), &info()).unwrap();
        let report = verify_pdf(&twice).unwrap();
        assert!(report.whole_document);
        let doc = lopdf::Document::load_mem(&twice).unwrap();
        let form = doc
            .catalog()
            .unwrap()
            .get(b"AcroForm")
            .unwrap()
            .as_dict()
            .unwrap();
        assert_eq!(form.get(b"Fields").unwrap().as_array().unwrap().len(), 2);
    }

    #[test]
    fn truncations_and_garbage_are_errors_not_panics() {
        let signed = signed_sample();
        for len in (0..signed.len())
            .step_by(53)
            .chain(signed.len() - 40..signed.len())
        {
            assert!(verify_pdf(&signed[..len]).is_err(), "truncated to {len}");
        }
        for junk in [
            &b"/ByteRange"[..],
            b"/ByteRange [0 1 2 3]",
            b"/ByteRange [0 4 6 0]<0>",
            b"/ByteRange [0 0 2 0]<>",
            b"%PDF /ByteRange [0 25 27 0]<00>",
            b"/ByteRange [0 99999999999999999999 1 1]",
            b"/ByteRange [0 18446744073709551615 1 1]",
        ] {
            assert!(
                verify_pdf(junk).is_err(),
                "{}",
                String::from_utf8_lossy(junk)
            );
        }
    }

    #[test]
    fn signing_garbage_is_an_error() {
        assert!(matches!(
            sign_pdf(b"not a pdf", signer(), &info()),
            Err(SigningError::Pdf(_))
        ));
        let mut bad = info();
        bad.signing_time_unix = -1;
        assert!(sign_pdf(&sample_pdf(1), signer(), &bad).is_err());
    }

    #[test]
    fn pdf_dates_round_trip() {
        let t = info().signing_time_unix;
        assert_eq!(parse_pdf_date(pdf_date(t).unwrap().as_bytes()), Some(t));
        assert_eq!(parse_pdf_date(b"D:20261203120000+08'00'"), Some(t));
        assert_eq!(parse_pdf_date(b"D:20261203000000-04'00"), Some(t));
        assert_eq!(parse_pdf_date(b"D:20261203"), None);
        assert_eq!(find_date(b"/MaxLen 3 /M (D:20261203040000Z)"), Some(t));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        #[test]
        fn random_mutations_never_panic(
            edits in proptest::collection::vec((0.0f64..1.0, proptest::num::u8::ANY), 1..8),
            cut in 0.0f64..1.0,
        ) {
            let mut bad = signed_sample().to_vec();
            for (at, byte) in edits {
                let pos = ((bad.len() - 1) as f64 * at) as usize;
                bad[pos] = byte;
            }
            let _ = verify_pdf(&bad);
            let len = (bad.len() as f64 * cut) as usize;
            let _ = verify_pdf(&bad[len..]);
            let _ = verify_pdf(&bad[..len]);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let _ = verify_pdf(&bytes);
            let mut with_range = b"/ByteRange [0 10 20 5]".to_vec();
            with_range.extend_from_slice(&bytes);
            let _ = verify_pdf(&with_range);
        }
    }

    /// Whether `name` runs. `make test` installs poppler and sets
    /// PINGYI_REQUIRE_PDF_TOOLS=1: a missing tool then fails the test, where a
    /// silent skip would pass on a fresh machine; by hand it skips loudly.
    fn poppler(name: &str) -> bool {
        let found = std::process::Command::new(name).arg("-v").output().is_ok();
        if !found {
            assert!(
                !std::env::var("PINGYI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1"),
                "{name} not found and PINGYI_REQUIRE_PDF_TOOLS=1: `make pdf-tools` installs poppler-utils"
            );
            eprintln!("!!! {name} not found (apt-get install poppler-utils): SKIPPING this check");
        }
        found
    }

    /// poppler's pdfsig, an independent implementation (NSS underneath).
    #[test]
    fn pdfsig_accepts_the_signature() {
        if !poppler("pdfsig") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let run = |bytes: &[u8]| {
            let path = dir.path().join("signed.pdf");
            fs::write(&path, bytes).unwrap();
            let out = std::process::Command::new("pdfsig")
                .arg(&path)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let report = run(signed_sample());
        println!("{report}");
        assert!(report.contains("Signature is Valid"), "{report}");
        assert!(report.contains("Total document signed"), "{report}");
        assert!(report.contains("ETSI.CAdES.detached"), "{report}");
        let mut bad = signed_sample().to_vec();
        let pos = region(&bad).gap.0 / 2;
        bad[pos] ^= 0x01;
        let report = run(&bad);
        assert!(!report.contains("Signature is Valid"), "{report}");
    }

    /// Twenty pages in the CJK font, as the minutes are: signing must stay cheap.
    #[test]
    fn signs_twenty_cjk_pages_quickly() {
        let font = std::env::var("PINGYI_FONT")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../target/fonts/NotoSansHans-Regular.otf")
            });
        let Ok(font) = fs::read(&font) else {
            println!("no CJK font at {}; skipping", font.display());
            return;
        };
        let pdf = cjk_pdf(&font, 20);
        let started = std::time::Instant::now();
        let signed = sign_pdf(&pdf, signer(), &info()).unwrap();
        let took = started.elapsed();
        println!("signed {} bytes, 20 pages, in {took:?}", pdf.len());
        assert!(verify_pdf(&signed).unwrap().whole_document);
        // Generous for unoptimised test builds; release takes a few milliseconds.
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    fn cjk_pdf(font: &[u8], pages: usize) -> Vec<u8> {
        use printpdf::{
            Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
            TextItem,
        };
        let parsed = ParsedFont::from_bytes(font, 0, &mut Vec::new()).unwrap();
        let mut doc = PdfDocument::new("听证评议会议纪要");
        let id = doc.add_font(&parsed);
        let pages = (1..=pages)
            .map(|n| {
                let mut ops = vec![
                    Op::StartTextSection,
                    Op::SetFont {
                        font: PdfFontHandle::External(id.clone()),
                        size: Pt(10.5),
                    },
                ];
                for line in 0..40 {
                    ops.push(Op::SetTextCursor {
                        pos: Point {
                            x: Pt(56.0),
                            y: Pt(780.0 - 18.0 * line as f32),
                        },
                    });
                    ops.push(Op::ShowText {
                        items: vec![TextItem::Text(format!(
                            "第{n}页第{line}行：申请人陈述了诉求，责任单位作出答复。"
                        ))],
                    });
                }
                ops.push(Op::EndTextSection);
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect();
        let opts = PdfSaveOptions {
            subset_fonts: true,
            ..PdfSaveOptions::default()
        };
        doc.with_pages(pages).save(&opts, &mut Vec::new())
    }
}
