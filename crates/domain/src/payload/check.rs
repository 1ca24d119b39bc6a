//! Checking a verified payload against the agreement's rules.

use super::*;

/// What [`check_payload`] established about an accepted payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub signed_at: SignedAt,
    /// The date the form was judged on (the signing date in China Standard Time).
    pub signing_date: Date,
    /// The previews recomputed on that date (the payload's shown figures are a subset).
    pub previews: Preview,
}

struct Findings {
    first: Option<PayloadRule>,
    fields: Vec<FieldError>,
}

impl Findings {
    fn fail(&mut self, stage: PayloadRule, path: &str, rule: impl Into<RuleMessage>) {
        self.first.get_or_insert(stage);
        self.fields.push(FieldError {
            path: path.to_owned(),
            rule: rule.into(),
        });
    }
}

/// What a consent accepted by the receiver passed, in order: the envelope's signature
/// ([`verify_envelope`]), then each check of [`check_payload`] as it runs. The receiver records
/// this list with every stored consent.
pub const CHECKS: [&str; 10] = [
    "signature",
    "format",
    "agreement",
    "content_hashes",
    "consents",
    "signature_image",
    "signed_at",
    "idempotency_id",
    "form",
    "previews",
];

/// Applies every rule of the agreement to a verified payload, on the receiver's clock `now`
/// (seconds since the epoch). Reports every failure found, under the code of the first failing
/// check, in this order: format, agreement, content hashes, consents, signature image,
/// `signed_at`, idempotency id, form, previews. An unknown format, agreement or version stops
/// the check at once (its rules are not known here).
pub fn check_payload(payload: &ConsentPayload, now_unix: i64) -> Result<Checked, Rejection> {
    // The format and the agreement stop at the first failure; the rest are all reported.
    let version = check_format_and_agreement(payload)?;
    let mut f = Findings {
        first: None,
        fields: Vec::new(),
    };
    check_content_hashes(payload, version, &mut f);
    check_consents(payload, version, &mut f);
    check_signature_image(payload, &mut f);
    let signed_at = check_signed_at(payload, now_unix, &mut f);
    check_idempotency_id(payload, &mut f);
    let previews = signed_at
        .map(|t| check_form_and_previews(payload, t.date(), &mut f))
        .unwrap_or_default();
    match (f.first, signed_at) {
        // A witnessed payload: then the record of the check in person (v3.rs).
        (None, Some(signed_at)) => check_witness(payload, signed_at).map(|()| Checked {
            signed_at,
            signing_date: signed_at.date(),
            previews,
        }),
        (first, _) => Err(Rejection {
            rule: RuleMessage::of(first.unwrap_or(PayloadRule::SignedAtFormat)),
            fields: f.fields,
            detail: None,
        }),
    }
}

/// `format` and `agreement`: the version whose content the rest is checked against.
fn check_format_and_agreement(payload: &ConsentPayload) -> Result<&str, Rejection> {
    let stop = |rule: PayloadRule, path: &str| Rejection::of(rule, path);
    if ![FORMAT, FORMAT_1_1, FORMAT_2, FORMAT_3].contains(&payload.format.as_str()) {
        return Err(stop(PayloadRule::Format, "format"));
    }
    // `request` and `identity`: both in `/2` (of their documented shape), neither before;
    // `request` and `witness` in `/3`, without `identity`.
    let mut misplaced = v2::request_member_paths(payload);
    misplaced.extend(v3::witness_member_paths(payload));
    if !misplaced.is_empty() {
        let mut r = Rejection::of(PayloadRule::Format, "");
        r.fields = misplaced
            .iter()
            .map(|p| FieldError {
                path: p.clone(),
                rule: PayloadRule::Format.into(),
            })
            .collect();
        return Err(r);
    }
    if payload.format == FORMAT && !payload.calendars.is_empty() {
        return Err(stop(PayloadRule::Format, "calendars"));
    }
    if payload.agreement.id != content::AGREEMENT_ID {
        return Err(stop(PayloadRule::AgreementUnknown, "agreement.id"));
    }
    // Any version this build shipped (content::ACCEPTED_VERSIONS): its hashes and wordings
    // are the ones the signer's app showed.
    let version = payload.agreement.version.as_str();
    if !content::is_accepted_version(version) {
        return Err(stop(PayloadRule::VersionUnknown, "agreement.version"));
    }
    Ok(version)
}

/// `content_hashes`: each entry right, no repeats, every part shown in some language.
fn check_content_hashes(payload: &ConsentPayload, version: &str, f: &mut Findings) {
    let mut seen = Vec::new();
    for (i, h) in payload.content_hashes.iter().enumerate() {
        let stage = PayloadRule::ContentHashMismatch;
        if seen.contains(&(h.part, h.lang)) {
            f.fail(
                stage,
                &format!("content_hashes.{i}"),
                PayloadRule::ContentDuplicate,
            );
            continue;
        }
        seen.push((h.part, h.lang));
        if Some(h.sha256.as_str()) != content::version_content_hash(version, h.part, h.lang) {
            f.fail(
                stage,
                &format!("content_hashes.{i}.sha256"),
                PayloadRule::ContentHashMismatch,
            );
        }
    }
    for part in PartId::ALL {
        if !seen.iter().any(|(p, _)| *p == part) {
            f.fail(
                PayloadRule::ContentHashMismatch,
                "content_hashes",
                PayloadRule::ContentPartMissing,
            );
            break;
        }
    }
}

/// `consents`: all four, given, with the wording this version shows.
fn check_consents(payload: &ConsentPayload, version: &str, f: &mut Findings) {
    let stage = PayloadRule::ConsentMissing;
    let mut given = Vec::new();
    for (i, c) in payload.consents.iter().enumerate() {
        if given.contains(&c.id) {
            f.fail(
                stage,
                &format!("consents.{i}"),
                PayloadRule::ConsentDuplicate,
            );
            continue;
        }
        given.push(c.id);
        if !c.given {
            f.fail(
                stage,
                &format!("consents.{i}.given"),
                PayloadRule::ConsentNotGiven,
            );
        }
        if Some(&c.wording_sha256) != c.id.wording_sha256_in(version).as_ref() {
            f.fail(
                stage,
                &format!("consents.{i}.wording_sha256"),
                PayloadRule::ConsentWording,
            );
        }
    }
    for id in ConsentId::ALL {
        if !given.contains(&id) {
            f.fail(
                stage,
                &format!("consents.{}", id.as_str()),
                PayloadRule::ConsentMissing,
            );
        }
    }
}

/// `signature_image`; a typed one must be the representative's name.
fn check_signature_image(payload: &ConsentPayload, f: &mut Findings) {
    if let Err(rule) = payload
        .signature_image
        .check_for(&payload.form.signing.representative)
    {
        f.fail(rule, "signature_image", rule);
    }
}

/// `signed_at`: the time of signing, not in the future; its date is the date the form is
/// judged on.
fn check_signed_at(payload: &ConsentPayload, now_unix: i64, f: &mut Findings) -> Option<SignedAt> {
    match SignedAt::parse(&payload.signed_at) {
        Ok(t) if t.unix_seconds() > now_unix.saturating_add(CLOCK_SKEW_SECONDS) => {
            f.fail(
                PayloadRule::SignedAtFuture,
                "signed_at",
                PayloadRule::SignedAtFuture,
            );
            None
        }
        Ok(t) => Some(t),
        Err(_) => {
            f.fail(
                PayloadRule::SignedAtFormat,
                "signed_at",
                PayloadRule::SignedAtFormat,
            );
            None
        }
    }
}

/// `idempotency_id`: a lower-case UUID v4.
fn check_idempotency_id(payload: &ConsentPayload, f: &mut Findings) {
    if !is_uuid_v4(&payload.idempotency_id) {
        f.fail(
            PayloadRule::IdempotencyId,
            "idempotency_id",
            PayloadRule::IdempotencyId,
        );
    }
}

/// `form` judged on the signing date, and `previews`: each figure shown recomputed (a
/// working-day figure on the calendars the payload recorded). The figures recomputed.
fn check_form_and_previews(payload: &ConsentPayload, today: Date, f: &mut Findings) -> Preview {
    for e in form::validate(&payload.form, today) {
        f.first.get_or_insert(PayloadRule::FormInvalid);
        f.fields.push(e);
    }
    let mut previews = preview::preview(&payload.form, today);
    let on_recorded = check_recorded_calendars(payload, Calendars::shipped(), f);
    for (key, value) in &on_recorded {
        match value {
            Some(v) => previews.insert(key.clone(), *v),
            None => previews.remove(key),
        };
    }
    for (key, shown) in &payload.previews {
        let path = format!("previews.{key}");
        if matches!(on_recorded.get(key), Some(None)) {
            continue; // refused with the calendar's code
        }
        match previews.get(key) {
            None => f.fail(
                PayloadRule::PreviewMismatch,
                &path,
                PayloadRule::PreviewNotComputable,
            ),
            Some(v) if ShownValue::from(*v) != *shown => f.fail(
                PayloadRule::PreviewMismatch,
                &path,
                PayloadRule::PreviewMismatch,
            ),
            Some(_) => {}
        }
    }
    previews
}

/// The working-day figures of a [`FORMAT_1_1`] payload, computed again on the calendars the
/// payload records for them (not on today's calendars), so that a figure signed while a year was
/// provisional still checks after that year's notice is added. Key → the figure, or `None`
/// when it could not be computed on the recorded calendars (the reason is in `f`). A
/// [`FORMAT`] payload records none: its figures are checked on the current calendars.
fn check_recorded_calendars(
    payload: &ConsentPayload,
    calendars: &Calendars,
    f: &mut Findings,
) -> BTreeMap<String, Option<PreviewValue>> {
    let mut out = BTreeMap::new();
    // `/2` and `/3` keep 1.1's members and rules.
    if ![FORMAT_1_1, FORMAT_2, FORMAT_3].contains(&payload.format.as_str()) {
        return out;
    }
    let stage = PayloadRule::CalendarMismatch;
    // An entry for a figure left out of `previews` is allowed (showing fewer figures is).
    for key in payload.calendars.keys() {
        if key != preview::REPLY_BY {
            f.fail(
                stage,
                &format!("calendars.{key}"),
                PayloadRule::CalendarMismatch,
            );
        }
    }
    if !payload.previews.contains_key(preview::REPLY_BY) {
        return out;
    }
    let path = format!("calendars.{}", preview::REPLY_BY);
    let Some(recorded) = payload.calendars.get(preview::REPLY_BY) else {
        f.fail(stage, &path, PayloadRule::CalendarMismatch);
        out.insert(preview::REPLY_BY.to_owned(), None);
        return out;
    };
    let Ok(request) = Date::parse_iso(payload.form.signing.date.trim()) else {
        return out; // not computable: the general check says so
    };
    let value = match clauses::reply_by_as(request, calendars, recorded) {
        Ok(counted) if counted.calendars == *recorded => Some(PreviewValue::Date(counted.date)),
        Ok(_) | Err(HolidayError::CalendarNotRecorded) => {
            f.fail(stage, &path, PayloadRule::CalendarMismatch);
            None
        }
        Err(HolidayError::NoticeUnknown) => {
            f.fail(
                PayloadRule::CalendarNoticeUnknown,
                &path,
                PayloadRule::CalendarNoticeUnknown,
            );
            None
        }
        Err(HolidayError::YearNotCovered) => {
            f.fail(
                PayloadRule::CalendarProvisionalUnknown,
                &path,
                PayloadRule::CalendarProvisionalUnknown,
            );
            None
        }
    };
    out.insert(preview::REPLY_BY.to_owned(), value);
    out
}

/// The working-day figures of `payload` checked on `calendars` instead of the shipped ones
/// (what [`check_payload`] does with [`Calendars::shipped`]): the failures by path, empty when
/// every such figure is the one its recorded calendars give.
pub fn check_working_day_figures(
    payload: &ConsentPayload,
    calendars: &Calendars,
) -> Vec<FieldError> {
    let mut f = Findings {
        first: None,
        fields: Vec::new(),
    };
    let figures = check_recorded_calendars(payload, calendars, &mut f);
    for (key, value) in figures {
        let path = format!("previews.{key}");
        match (value, payload.previews.get(&key)) {
            (Some(v), Some(shown)) if ShownValue::from(v) != *shown => f.fail(
                PayloadRule::PreviewMismatch,
                &path,
                PayloadRule::PreviewMismatch,
            ),
            _ => {}
        }
    }
    f.fields
}

/// Checks that `payload.form` (as received, `value`) is exactly what [`Form`] serializes, so the
/// stored form reads the same to every reader. Part of [`verify_and_check`].
pub fn check_form_canonical(verified: &VerifiedPayload) -> Result<(), Rejection> {
    let received = verified.value.get("form");
    let ours = serde_json::to_value(&verified.payload.form).ok();
    if received == ours.as_ref() {
        Ok(())
    } else {
        Err(Rejection::of(PayloadRule::FormNotCanonical, "form"))
    }
}

/// [`verify_envelope`], then [`check_form_canonical`], [`check_signing_date`] and
/// [`check_payload`]: everything the receiver decides about a body, short of its offline
/// allowance ([`check_offline_allowance`], a setting), idempotency and storage.
pub fn verify_and_check(
    bytes: &[u8],
    now_unix: i64,
) -> Result<(VerifiedPayload, Checked), Rejection> {
    let verified = verify_envelope(bytes)?;
    check_form_canonical(&verified)?;
    check_signing_date(&verified.payload)?;
    let checked = check_payload(&verified.payload, now_unix)?;
    Ok((verified, checked))
}

/// The content hash of a part in a language of the embedded agreement, computed once.
pub(super) fn shipped_hash(part: PartId, lang: Lang) -> &'static str {
    content::version_content_hash(content::AGREEMENT_VERSION, part, lang).unwrap_or("")
}
