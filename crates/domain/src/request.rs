//! Signing requests (contract.md §5): the rules a request must keep when the carrier's back
//! office opens one, shared by the receiver (which enforces them) and, later, the app (which
//! locks the read-only fields).
//!
//! Readings decided here (docs/decisions.md "Signing requests"):
//! - A `readonly` entry is a field path or a prefix of paths at a dot (`customer` covers
//!   `customer.group_name`, not `customer_x`); it must cover at least one path of the request's
//!   form (`orders` is always known, even with no product line yet).
//! - Every rule failure of `form::validate` at a read-only path refuses the request, blank or
//!   not: the signer could not correct it. Editable paths may fail: the signer completes them.
//! - `expires_at` is written like `signed_at` (`YYYY-MM-DDTHH:MM:SS+08:00`), lies in the future
//!   and at most [`MAX_EXPIRY_DAYS`] days ahead.
//! - `callback_url` is `https://host…`, or `http://` to a loopback host (`localhost`,
//!   `127.0.0.0/8`, `[::1]`), at most [`MAX_CALLBACK_URL_LEN`] bytes, no user information.

use crate::form::{self, FieldError, Form};
use crate::payload::SignedAt;
use crate::phone::Mobile;

/// The longest a request may stay open.
pub const MAX_EXPIRY_DAYS: i64 = 30;
/// At most this many `readonly` entries.
pub const MAX_READONLY: usize = 256;
/// The longest `callback_url`.
pub const MAX_CALLBACK_URL_LEN: usize = 2048;
/// The locales a request may ask for (contract.md §3's `data-locale` values).
pub const LOCALES: [&str; 3] = ["zh-CN", "en", "both"];

crate::rule_errors! {
    /// Why a signing request, or a consent without one, is refused.
    pub enum RequestRule {
        Required => "request.required", "需由中国移动发起签约请求后才能签署，请联系客户经理获取签约链接", "A consent needs a signing request from China Mobile; ask your account manager for a signing link";
        Unknown => "request.unknown", "签约链接无效或不存在", "This signing link is not valid";
        Revoked => "request.revoked", "该签约请求已被撤销", "This signing request has been revoked";
        Expired => "request.expired", "该签约请求已过期", "This signing request has expired";
        Signed => "request.signed", "该签约请求已完成签署", "This signing request has already been signed";
        Invalid => "request.invalid", "签约请求不符合规则，见各字段说明", "The signing request breaks rules; see its fields";
        Form => "request.form", "表单不是约定格式的 JSON 对象", "The form is not a form object of the agreed shape";
        ReadonlyUnknown => "request.readonly_unknown", "只读项未对应任何字段路径", "A read-only entry names no field path";
        ReadonlyTooMany => "request.readonly_too_many", "只读项过多", "Too many read-only entries";
        ExpiresAt => "request.expires_at", "过期时间应写作 YYYY-MM-DDTHH:MM:SS+08:00，晚于现在且不超过30天", "The expiry must be written YYYY-MM-DDTHH:MM:SS+08:00, in the future and at most 30 days ahead";
        CallbackUrl => "request.callback_url", "回调地址应为 https:// 地址，或本机的 http:// 地址", "The callback URL must be https://, or http:// to a loopback address";
        Locale => "request.locale", "语言应为 zh-CN、en 或 both", "The locale must be zh-CN, en or both";
    }
}

/// Whether the read-only `entry` covers `path`: equal, or a prefix ending at a dot.
pub fn covers(entry: &str, path: &str) -> bool {
    path == entry
        || (path.len() > entry.len()
            && path.starts_with(entry)
            && path.as_bytes()[entry.len()] == b'.')
}

/// Whether any of `entries` covers `path`.
pub fn is_readonly(entries: &[String], path: &str) -> bool {
    entries.iter().any(|e| covers(e, path))
}

/// Checks the `readonly` entries against `form`, and the rules at the paths they cover on
/// `today`: the failures, each at its path (`readonly.N` for an entry that names no field).
pub fn check_readonly(
    form: &Form,
    entries: &[String],
    today: crate::date::Date,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    if entries.len() > MAX_READONLY {
        out.push(field("readonly", RequestRule::ReadonlyTooMany));
        return out;
    }
    let paths = form.paths();
    for (i, entry) in entries.iter().enumerate() {
        let known = entry == "orders" || paths.iter().any(|p| covers(entry, p));
        if !known {
            out.push(field(
                &format!("readonly.{i}"),
                RequestRule::ReadonlyUnknown,
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    out.extend(
        form::validate(form, today)
            .into_iter()
            .filter(|e| is_readonly(entries, &e.path)),
    );
    out
}

/// Checks `expires_at` at `now` (unix seconds): the moment, or `request.expires_at`.
pub fn check_expires_at(s: &str, now: i64) -> Result<SignedAt, RequestRule> {
    let at = SignedAt::parse(s).map_err(|_| RequestRule::ExpiresAt)?;
    let ahead = at.unix_seconds() - now;
    if ahead <= 0 || ahead > MAX_EXPIRY_DAYS * 86_400 {
        return Err(RequestRule::ExpiresAt);
    }
    Ok(at)
}

/// Checks a `callback_url` (contract.md §6).
pub fn check_callback_url(url: &str) -> Result<(), RequestRule> {
    let bad = Err(RequestRule::CallbackUrl);
    if url.len() > MAX_CALLBACK_URL_LEN || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return bad;
    }
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return bad;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return bad;
    }
    // The host, and the port after it.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':')),
            None => return bad,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty()
        || port
            .is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad;
    }
    if https {
        return Ok(());
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<core::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
        || host
            .parse::<core::net::Ipv6Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        bad
    }
}

/// Checks a `locale`.
pub fn check_locale(locale: &str) -> Result<(), RequestRule> {
    if LOCALES.contains(&locale) {
        Ok(())
    } else {
        Err(RequestRule::Locale)
    }
}

/// A mobile number as shown to whoever holds only the link: `138****0000`.
pub fn mask_mobile(mobile: &Mobile) -> String {
    let s = mobile.as_str();
    let (head, tail) = (&s[..3.min(s.len())], &s[s.len().saturating_sub(4)..]);
    format!("{head}****{tail}")
}

fn field(path: &str, rule: RequestRule) -> FieldError {
    FieldError {
        path: path.to_owned(),
        rule: rule.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_cover_paths_at_dots() {
        assert!(covers("customer", "customer.group_name"));
        assert!(covers("orders.0", "orders.0.product_number"));
        assert!(covers("contract_no", "contract_no"));
        assert!(!covers("orders.1", "orders.10.remarks"));
        assert!(!covers("cust", "customer.group_name"));
        assert!(!covers("customer.group_name", "customer"));
    }

    #[test]
    fn readonly_entries_must_name_fields_whose_rules_hold() {
        let today = crate::date::Date::parse_iso("2026-12-01").unwrap();
        let mut form = Form::default();
        form.set_value("contact.mobile", "13800138000").unwrap();
        form.set_value("customer.cert_number", "91440300758613572X")
            .unwrap();
        let entries = |e: &[&str]| e.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let paths =
            |errors: Vec<FieldError>| errors.into_iter().map(|e| e.path).collect::<Vec<_>>();
        // Unknown entries, by index; `orders` is known without a line, `orders.0` is not.
        assert_eq!(
            paths(check_readonly(
                &form,
                &entries(&["contact", "contacts", "orders", "orders.0", ""]),
                today
            )),
            ["readonly.1", "readonly.3", "readonly.4"]
        );
        // A good value passes; a wrong one and a blank required one do not.
        assert!(check_readonly(&form, &entries(&["contact.mobile"]), today).is_empty());
        let errors = check_readonly(
            &form,
            &entries(&["customer.cert_number", "contact.name"]),
            today,
        );
        assert_eq!(paths(errors), ["customer.cert_number", "contact.name"]);
        // Editable paths may fail.
        assert!(check_readonly(&form, &entries(&[]), today).is_empty());
        let many = vec!["contact".to_owned(); MAX_READONLY + 1];
        assert_eq!(paths(check_readonly(&form, &many, today)), ["readonly"]);
    }

    #[test]
    fn callback_urls() {
        for ok in [
            "https://portal.example.com/hooks/qianyue",
            "https://portal.example.com:8443",
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://[::1]:8081/x",
        ] {
            assert_eq!(check_callback_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://portal.example.com/hook",
            "http://10.0.0.1/hook",
            "ftp://127.0.0.1/",
            "https://",
            "https://user@portal.example.com/",
            "http://127.0.0.1.evil.example/",
            "https://a.example/ x",
            "http://localhost:/",
        ] {
            assert_eq!(
                check_callback_url(bad),
                Err(RequestRule::CallbackUrl),
                "{bad}"
            );
        }
    }

    #[test]
    fn expiry_and_mask() {
        let now = SignedAt::parse("2026-12-01T10:00:00+08:00")
            .unwrap()
            .unix_seconds();
        assert!(check_expires_at("2026-12-08T18:00:00+08:00", now).is_ok());
        assert!(check_expires_at("2026-12-31T10:00:00+08:00", now).is_ok());
        assert!(check_expires_at("2026-12-31T10:00:01+08:00", now).is_err());
        assert!(check_expires_at("2026-12-01T10:00:00+08:00", now).is_err());
        assert!(check_expires_at("2026-12-08T10:00:00Z", now).is_err());
        let m = Mobile::parse("+86 138-0013-8000").unwrap();
        assert_eq!(mask_mobile(&m), "138****8000");
    }
}
