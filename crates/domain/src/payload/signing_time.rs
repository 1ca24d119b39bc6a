//! The signing date is the day of signing, within the offline allowance.

use super::*;

crate::rule_errors! {
    /// Why a payload's signing time was refused: the signing date is the day of signing, and a
    /// consent captured offline is delivered within the receiver's allowance.
    pub enum SigningTimeRule {
        DateNotSigningDay => "signing.date_not_signing_day",
            "签名日期应为签署当天（签名时间在北京时间的日期）",
            "The signing date must be the day the consent was signed (the date of signed_at in China Standard Time)";
        SignedTooLongAgo => "signed_at.too_old",
            "签名时间早于允许的离线期限，请重新签署",
            "The consent was signed longer ago than this service accepts for offline capture; please sign again";
    }
}

/// The receiver's default offline allowance: how old `signed_at` may be when a consent arrives
/// (a capture kept in an outbox while offline), in days.
pub const DEFAULT_OFFLINE_ALLOWANCE_DAYS: u32 = 30;

fn signing_time_refusal(rule: SigningTimeRule, path: &str) -> Rejection {
    Rejection {
        rule: RuleMessage::of(rule),
        fields: vec![FieldError {
            path: path.to_owned(),
            rule: RuleMessage::of(rule),
        }],
        detail: None,
    }
}

/// `form.signing.date` must be `signed_at`'s date in China Standard Time
/// (`signing.date_not_signing_day`, at `signing.date`). With it, [`check_payload`], which
/// judges the form on `signed_at`'s date, judges the authorisation period and the agent's age
/// on the day of signing, and a signing date cannot be written back into a period that has
/// ended. A `signed_at` that does not parse is left to [`check_payload`] (`signed_at.format`).
pub fn check_signing_date(payload: &ConsentPayload) -> Result<(), Rejection> {
    let Ok(signed_at) = SignedAt::parse(&payload.signed_at) else {
        return Ok(());
    };
    let written = Date::parse_iso(payload.form.signing.date.trim()).ok();
    if written == Some(signed_at.date()) {
        Ok(())
    } else {
        Err(signing_time_refusal(
            SigningTimeRule::DateNotSigningDay,
            "signing.date",
        ))
    }
}

/// `signed_at` no more than `allowance_days` days before the receiver's clock `now_unix`
/// (`signed_at.too_old`): a consent captured offline is delivered within the allowance, and a
/// `signed_at` cannot be back-dated at will. The receiver's setting
/// (`QIANYUE_OFFLINE_ALLOWANCE_DAYS`, default [`DEFAULT_OFFLINE_ALLOWANCE_DAYS`]).
pub fn check_offline_allowance(
    payload: &ConsentPayload,
    now_unix: i64,
    allowance_days: u32,
) -> Result<(), Rejection> {
    let Ok(signed_at) = SignedAt::parse(&payload.signed_at) else {
        return Ok(());
    };
    let earliest = now_unix.saturating_sub(i64::from(allowance_days) * 86_400);
    if signed_at.unix_seconds() < earliest {
        Err(signing_time_refusal(
            SigningTimeRule::SignedTooLongAgo,
            "signed_at",
        ))
    } else {
        Ok(())
    }
}

/// [`check_signing_date`] and [`check_offline_allowance`]: the receiver's checks of when a
/// consent was signed, made before [`check_payload`].
pub fn check_signing_time(
    payload: &ConsentPayload,
    now_unix: i64,
    allowance_days: u32,
) -> Result<(), Rejection> {
    check_signing_date(payload)?;
    check_offline_allowance(payload, now_unix, allowance_days)
}
