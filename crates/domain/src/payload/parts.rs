//! The payload's parts: what the browser builds and signs.

use super::*;

/// `payload.agreement`: which agreement text, in which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRef {
    pub id: String,
    pub version: String,
}

/// One entry of `payload.content_hashes`: a part shown in a language, with its content hash
/// (`crate::content::content_hash`, 64 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentHash {
    pub part: PartId,
    pub lang: Lang,
    pub sha256: String,
}

/// The four separate consents the signer gives (issue 4 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentId {
    /// The service agreement (part C).
    ServiceAgreement,
    /// The privacy and information protection policy (part B).
    PrivacyPolicy,
    /// The agent authorisation letter (part D).
    AuthorizationLetter,
    /// The separate consent to process ID numbers (sensitive personal information, PIPL art. 29).
    SensitivePersonalInfo,
}

impl ConsentId {
    /// Every consent, in the order the form shows them.
    pub const ALL: [ConsentId; 4] = [
        ConsentId::ServiceAgreement,
        ConsentId::PrivacyPolicy,
        ConsentId::AuthorizationLetter,
        ConsentId::SensitivePersonalInfo,
    ];

    /// The id as written in the payload.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentId::ServiceAgreement => "service_agreement",
            ConsentId::PrivacyPolicy => "privacy_policy",
            ConsentId::AuthorizationLetter => "authorization_letter",
            ConsentId::SensitivePersonalInfo => "sensitive_personal_info",
        }
    }

    /// The checkbox's wording. The UI shows exactly this text (the hash covers it).
    pub const fn wording(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ConsentId::ServiceAgreement, Lang::Zh) => {
                "我已阅读并同意《中国移动广东公司互联网专线业务服务协议》的全部条款。"
            }
            (ConsentId::ServiceAgreement, Lang::En) => {
                "I have read and agree to all terms of the China Mobile Guangdong Internet Leased Line Service Agreement."
            }
            (ConsentId::PrivacyPolicy, Lang::Zh) => {
                "我已阅读并同意《中国移动广东公司隐私和信息保护政策》。"
            }
            (ConsentId::PrivacyPolicy, Lang::En) => {
                "I have read and agree to the China Mobile Guangdong Privacy and Information Protection Policy."
            }
            (ConsentId::AuthorizationLetter, Lang::Zh) => {
                "我确认《单位授权委托书》所载的被委托人、委托事项和委托期限真实有效。"
            }
            (ConsentId::AuthorizationLetter, Lang::En) => {
                "I confirm that the agent, the matter and the period stated in the Letter of Authorisation are true and valid."
            }
            (ConsentId::SensitivePersonalInfo, Lang::Zh) => {
                "我单独同意中国移动广东公司处理本表填写的身份证件号码（敏感个人信息）。处理这些号码是为核验经办人和被委托人的身份及授权，为办理本业务所必需；号码仅用于本业务，加密保存，页面上遮盖显示。不同意将无法在线办理本业务。"
            }
            (ConsentId::SensitivePersonalInfo, Lang::En) => {
                "I separately consent to China Mobile Guangdong processing the identity document numbers entered in this form (sensitive personal information). They are needed to verify the identity and authority of the persons acting, which this business requires; they are used for this business only, stored encrypted and masked on screen. Without this consent the business cannot be done online."
            }
        }
    }

    /// The text the wording hash covers: `zh-CN TAB <zh wording> LF en TAB <en wording> LF`.
    pub fn wording_text(self) -> String {
        Lang::ALL
            .iter()
            .map(|&lang| format!("{}\t{}\n", lang.tag(), self.wording(lang)))
            .collect()
    }

    /// SHA-256 (lower-case hex) of [`ConsentId::wording_text`]: the consent's `wording_sha256`.
    pub fn wording_sha256(self) -> String {
        content::sha256_hex(self.wording_text().as_bytes())
    }
}

/// The consents' `wording_sha256` as the app of agreement `v1` showed and signed them. A
/// constant, so that a later change to a wording (a new version) leaves v1's consents
/// verifiable; `crates/domain/tests/payload.rs` pins them.
pub const V1_CONSENT_WORDING_SHA256: [(ConsentId, &str); 4] = [
    (
        ConsentId::ServiceAgreement,
        "83fcaa563b9649ff406188942a6942db8b7757235096e34459def21b97308240",
    ),
    (
        ConsentId::PrivacyPolicy,
        "c4eccc16efa08c1ae7839a9eb4d80b577eaa061eeb17fa2bee348e685cdd0ee1",
    ),
    (
        ConsentId::AuthorizationLetter,
        "dec99bb39f7bb133e1110b182c73f1592d878e3f8b247c572b803d507861a9c7",
    ),
    (
        ConsentId::SensitivePersonalInfo,
        "8fa58500f1388de2cac6e3e42fc8e2a79ab6590794bf04b5c30926e683d7fffe",
    ),
];

impl ConsentId {
    /// The `wording_sha256` this consent carries when signed on agreement `version`: the
    /// current wording's ([`ConsentId::wording_sha256`]) for [`content::AGREEMENT_VERSION`],
    /// the published constant for an earlier accepted version, `None` for any other version.
    pub fn wording_sha256_in(self, version: &str) -> Option<String> {
        if version == content::AGREEMENT_VERSION {
            return Some(self.wording_sha256());
        }
        if version != content::V1.version {
            return None;
        }
        V1_CONSENT_WORDING_SHA256
            .iter()
            .find(|(id, _)| *id == self)
            .map(|(_, h)| (*h).to_owned())
    }
}

/// One entry of `payload.consents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub id: ConsentId,
    pub given: bool,
    pub wording_sha256: String,
}

/// A preview figure as shown: an integer (fen, count) or a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShownValue {
    Integer(i64),
    Text(String),
}

impl From<PreviewValue> for ShownValue {
    fn from(v: PreviewValue) -> ShownValue {
        match v {
            PreviewValue::Money(fen) => ShownValue::Integer(fen.fen()),
            PreviewValue::Count(n) => ShownValue::Integer(i64::from(n)),
            PreviewValue::Date(d) => ShownValue::Text(d.to_string()),
        }
    }
}

/// Limits of a drawn signature.
pub const MAX_CANVAS: u32 = 4096;
pub const MAX_STROKES: usize = 200;
pub const MAX_POINTS: usize = 20_000;
/// A drawn signature needs at least this many points in all …
pub const MIN_POINTS: usize = 10;
/// … and a bounding box at least this wide or tall (canvas units).
pub const MIN_EXTENT: u32 = 20;

/// `payload.signature_image`: drawn strokes (integer canvas coordinates, origin top left) or a
/// typed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SignatureImage {
    Strokes {
        width: u32,
        height: u32,
        /// Each stroke is the list of its points `[x, y]`, in drawing order.
        strokes: Vec<Vec<[u32; 2]>>,
    },
    Typed {
        text: String,
    },
}

impl SignatureImage {
    /// The signature's own rules (the pad uses the same): a drawing within its canvas, not empty
    /// and not a dot or a short dash; a typed name of 2–50 characters without control
    /// characters. Whether a typed name is the representative's is checked with the form.
    pub fn check(&self) -> Result<(), PayloadRule> {
        match self {
            SignatureImage::Strokes {
                width,
                height,
                strokes,
            } => {
                let in_range = |n: u32| (1..=MAX_CANVAS).contains(&n);
                if !in_range(*width) || !in_range(*height) || strokes.len() > MAX_STROKES {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                let points: usize = strokes.iter().map(Vec::len).sum();
                if points > MAX_POINTS {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                let all = strokes.iter().flatten();
                if all.clone().any(|[x, y]| x > width || y > height) {
                    return Err(PayloadRule::SignatureImageBounds);
                }
                if points == 0 {
                    return Err(PayloadRule::SignatureImageEmpty);
                }
                let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
                for [x, y] in all {
                    x0 = x0.min(*x);
                    y0 = y0.min(*y);
                    x1 = x1.max(*x);
                    y1 = y1.max(*y);
                }
                if points < MIN_POINTS || (x1 - x0 < MIN_EXTENT && y1 - y0 < MIN_EXTENT) {
                    return Err(PayloadRule::SignatureImageTrivial);
                }
                Ok(())
            }
            SignatureImage::Typed { text } => {
                let t = text.trim();
                if t.is_empty() {
                    return Err(PayloadRule::SignatureImageEmpty);
                }
                form::check_text(t, 2, 50).map_err(|_| PayloadRule::TypedSignatureName)
            }
        }
    }

    /// [`SignatureImage::check`], then, for a typed signature, that it is the name of the
    /// signing representative (`form.signing.representative`), compared with runs of white
    /// space as one space and letters in any case. The signing pad and the receiver both ask this.
    pub fn check_for(&self, representative: &str) -> Result<(), PayloadRule> {
        self.check()?;
        match self {
            SignatureImage::Typed { text }
                if form::fold_person_name(text) != form::fold_person_name(representative) =>
            {
                Err(PayloadRule::TypedSignatureName)
            }
            _ => Ok(()),
        }
    }

    /// The drawing as an SVG document (paths only; no script, no external reference), for
    /// display. A typed signature gives `None`.
    pub fn to_svg(&self) -> Option<String> {
        let SignatureImage::Strokes {
            width,
            height,
            strokes,
        } = self
        else {
            return None;
        };
        let mut d = String::new();
        for stroke in strokes {
            for (i, [x, y]) in stroke.iter().enumerate() {
                let op = if i == 0 { 'M' } else { 'L' };
                d.push_str(&format!("{op}{x} {y}"));
            }
            if stroke.len() == 1 {
                d.push_str("h0");
            }
        }
        Some(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
             width=\"{width}\" height=\"{height}\"><path d=\"{d}\" fill=\"none\" \
             stroke=\"#000\" stroke-width=\"2\" stroke-linecap=\"round\" \
             stroke-linejoin=\"round\"/></svg>"
        ))
    }
}

crate::rule_errors! {
    /// Why a `signed_at` value was refused.
    pub enum SignedAtError {
        Format => "signed_at.format", "签名时间应为 YYYY-MM-DDTHH:MM:SS+08:00", "The signing time must be written YYYY-MM-DDTHH:MM:SS+08:00";
    }
}

/// `payload.signed_at`: a moment, written in China Standard Time as
/// `YYYY-MM-DDTHH:MM:SS+08:00` (RFC 3339, whole seconds, always the `+08:00` offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignedAt {
    /// Seconds since 1970-01-01T00:00:00Z.
    unix: i64,
}

const CST_OFFSET: i64 = 8 * 3600;

impl SignedAt {
    /// The moment `unix` seconds after the epoch (years 1..=9999 only).
    pub fn from_unix_seconds(unix: i64) -> Option<SignedAt> {
        let local = unix.checked_add(CST_OFFSET)?;
        Date::from_days(local.div_euclid(86_400))?;
        Some(SignedAt { unix })
    }

    pub fn unix_seconds(self) -> i64 {
        self.unix
    }

    /// The calendar date in China Standard Time: the signing date.
    pub fn date(self) -> Date {
        let local = self.unix + CST_OFFSET;
        Date::from_days(local.div_euclid(86_400)).expect("checked on construction")
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub fn parse(s: &str) -> Result<SignedAt, SignedAtError> {
        let b = s.as_bytes();
        if b.len() != 25 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || &b[19..] != b"+08:00"
        {
            return Err(SignedAtError::Format);
        }
        let date = Date::parse_iso(&s[..10]).map_err(|_| SignedAtError::Format)?;
        let num = |r: core::ops::Range<usize>| -> Result<i64, SignedAtError> {
            b[r].iter().try_fold(0i64, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + i64::from(c - b'0'))
                } else {
                    Err(SignedAtError::Format)
                }
            })
        };
        let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if h > 23 || m > 59 || sec > 59 {
            return Err(SignedAtError::Format);
        }
        let local = date.to_days() * 86_400 + h * 3600 + m * 60 + sec;
        Ok(SignedAt {
            unix: local - CST_OFFSET,
        })
    }
}

impl core::fmt::Display for SignedAt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let local = self.unix + CST_OFFSET;
        let secs = local.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}+08:00",
            self.date(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Checks that `s` is a UUID v4 in lower case (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`),
/// as `crypto.randomUUID()` returns it: 122 random bits.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        })
}

/// The UUID v4 made of 16 random bytes (their version and variant bits set), in the form
/// [`is_uuid_v4`] accepts: the receiver's own ids, where no browser made one.
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `payload.public_key`: the signer's ECDSA P-256 public key as a JWK (RFC 7517/7518) with
/// exactly these four members; `x` and `y` are the 32-byte coordinates in base64url without
/// padding (43 characters each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
}

impl Jwk {
    /// A P-256 key from its coordinates (base64url, as in WebCrypto's `exportKey("jwk")`).
    pub fn p256(x: &str, y: &str) -> Jwk {
        Jwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: x.into(),
            y: y.into(),
        }
    }

    /// The JWK of a verifying key.
    pub fn from_verifying_key(key: &VerifyingKey) -> Jwk {
        let point = key.to_encoded_point(false);
        let (x, y) = (
            point.x().map(base64url::encode),
            point.y().map(base64url::encode),
        );
        Jwk::p256(&x.unwrap_or_default(), &y.unwrap_or_default())
    }

    /// The verifying key, if this is a P-256 public key on the curve.
    pub fn verifying_key(&self) -> Result<VerifyingKey, PayloadError> {
        let point = self.sec1_point()?;
        VerifyingKey::from_sec1_bytes(&point)
            .map_err(|_| PayloadError::new(EnvelopeRule::PublicKey, "public_key"))
    }

    /// The key as an uncompressed SEC1 point (`04 ‖ x ‖ y`), checked to lie on the curve.
    pub fn sec1_point(&self) -> Result<[u8; 65], PayloadError> {
        let bad = |path: &str| PayloadError::new(EnvelopeRule::PublicKey, path);
        if self.kty != "EC" {
            return Err(bad("public_key.kty"));
        }
        if self.crv != "P-256" {
            return Err(bad("public_key.crv"));
        }
        let coordinate = |v: &str, path: &str| -> Result<[u8; 32], PayloadError> {
            base64url::decode_array(v).ok_or_else(|| bad(path))
        };
        let x = coordinate(&self.x, "public_key.x")?;
        let y = coordinate(&self.y, "public_key.y")?;
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(&x);
        sec1[33..].copy_from_slice(&y);
        VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| bad("public_key"))?;
        Ok(sec1)
    }

    /// The RFC 7638 thumbprint: base64url SHA-256 of `{"crv":…,"kty":…,"x":…,"y":…}`. A stable
    /// name for the signer's key.
    pub fn thumbprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut members = serde_json::Map::new();
        for (k, v) in [
            ("crv", &self.crv),
            ("kty", &self.kty),
            ("x", &self.x),
            ("y", &self.y),
        ] {
            members.insert(k.into(), Value::String(v.clone()));
        }
        let bytes = canonical_bytes(&Value::Object(members)).unwrap_or_default();
        base64url::encode(Sha256::digest(bytes))
    }
}

/// The consent: everything the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPayload {
    /// [`FORMAT`].
    pub format: String,
    pub agreement: AgreementRef,
    /// The parts and languages shown, each with its content hash.
    pub content_hashes: Vec<ContentHash>,
    /// The form, exactly as [`Form`] serializes (contract.md §1).
    pub form: Form,
    pub consents: Vec<Consent>,
    /// The preview figures shown (contract.md §2 keys).
    pub previews: KeyMap<ShownValue>,
    /// Since [`FORMAT_1_1`]: for each figure shown that is counted in working days, the
    /// calendar of each year it reached (absent in [`FORMAT`]).
    #[serde(default, skip_serializing_if = "KeyMap::is_empty")]
    pub calendars: KeyMap<CalendarsUsed>,
    pub signature_image: SignatureImage,
    /// `YYYY-MM-DDTHH:MM:SS+08:00`.
    pub signed_at: String,
    /// A lower-case UUID v4, fresh for each consent; the receiver's idempotency key.
    pub idempotency_id: String,
    pub public_key: Jwk,
    /// Since [`FORMAT_2`]: the signing request the consent answers (absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRef>,
    /// Since [`FORMAT_2`]: the verification of the signer's mobile (absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<crate::identity::Identity>,
    /// Only in [`FORMAT_3`]: the identity check an account manager made in person, whose
    /// enrolled device co-signs (absent in every other format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<crate::staff::Witness>,
}

/// What the browser has when it builds a payload ([`ConsentPayload::new`]).
pub struct PayloadParts<'a> {
    pub form: Form,
    /// The languages the agreement was shown in (each part's hash is included in each).
    pub langs: Vec<Lang>,
    /// The figures shown; normally `preview(&form, today)` in full.
    pub previews: &'a Preview,
    pub signature_image: SignatureImage,
    pub signed_at: SignedAt,
    pub idempotency_id: String,
    pub public_key: Jwk,
}

impl ConsentPayload {
    /// A payload for the embedded agreement: its id and version, the content hash of every part
    /// in each of `langs`, the four consents given with their wording's hash, and the rest from
    /// `parts`.
    pub fn new(parts: PayloadParts<'_>) -> ConsentPayload {
        let mut langs = parts.langs;
        crate::sorting::sort_stable_by(&mut langs, Ord::cmp);
        langs.dedup();
        let content_hashes = PartId::ALL
            .into_iter()
            .flat_map(|part| langs.iter().map(move |&lang| (part, lang)))
            .map(|(part, lang)| ContentHash {
                part,
                lang,
                sha256: shipped_hash(part, lang).to_owned(),
            })
            .collect();
        // The calendar of each working-day figure shown, as the app computed it.
        let calendars: KeyMap<CalendarsUsed> = preview::calendars(&parts.form)
            .into_iter()
            .filter(|(key, _)| parts.previews.contains_key(key))
            .collect();
        ConsentPayload {
            format: if calendars.is_empty() {
                FORMAT
            } else {
                FORMAT_1_1
            }
            .into(),
            agreement: AgreementRef {
                id: content::AGREEMENT_ID.into(),
                version: content::AGREEMENT_VERSION.into(),
            },
            content_hashes,
            form: parts.form,
            consents: ConsentId::ALL
                .into_iter()
                .map(|id| Consent {
                    id,
                    given: true,
                    wording_sha256: id.wording_sha256(),
                })
                .collect(),
            previews: parts
                .previews
                .iter()
                .map(|(k, v)| (k.clone(), ShownValue::from(*v)))
                .collect(),
            signature_image: parts.signature_image,
            calendars,
            signed_at: parts.signed_at.to_string(),
            idempotency_id: parts.idempotency_id,
            public_key: parts.public_key,

            request: None,
            identity: None,
            witness: None,
        }
    }

    /// The bytes to sign: the RFC 8785 canonical form of the payload.
    ///
    /// # Errors
    ///
    /// Never for a payload built from domain values (every number in it is an integer within
    /// range); an error means a hand-made value is out of range.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        canonical_bytes(&self.to_value())
    }

    /// The envelope to POST: `{"payload":<canonical payload>,"signature":"<base64url>"}`
    /// (itself in canonical form).
    pub fn envelope_json(&self, signature: &[u8; 64]) -> Result<String, CanonicalError> {
        let payload = self.signing_bytes()?;
        Ok(envelope_from_parts(&payload, signature))
    }
}

/// The envelope from the canonical payload bytes and the 64-byte signature.
pub fn envelope_from_parts(canonical_payload: &[u8], signature: &[u8; 64]) -> String {
    let payload = String::from_utf8_lossy(canonical_payload);
    format!(
        "{{\"payload\":{payload},\"signature\":\"{}\"}}",
        base64url::encode(signature)
    )
}
