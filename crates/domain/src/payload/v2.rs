//! `qianyue-consent/2` (issue 17): a consent signed for a signing request. Version 1.1's
//! members plus two required ones, `request` (`{"id"}`, the request's UUID) and `identity`
//! (the verification of the signer's mobile by SMS code, [`crate::identity::Identity`]), both
//! covered by the signature (docs/payload.md). A `/2` payload is accepted only for its request;
//! `/1` and `/1.1` payloads carry neither member.

use super::*;
use crate::identity::Identity;

/// `payload.format` of a consent signed for a signing request.
pub const FORMAT_2: &str = "qianyue-consent/2";

/// `payload.request`: which signing request the consent answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRef {
    /// The request's id (a lower-case UUID v4), as `GET /api/signing/{token}` answers it.
    pub id: String,
}

impl ConsentPayload {
    /// This payload as a consent to the request `request_id`, verified as `identity`: format
    /// [`FORMAT_2`] (whatever the figures shown, the calendars member is kept as in 1.1).
    pub fn for_request(mut self, request_id: &str, identity: Identity) -> ConsentPayload {
        self.format = FORMAT_2.into();
        self.request = Some(RequestRef {
            id: request_id.into(),
        });
        self.identity = Some(identity);
        self
    }

    /// Whether this payload names a signing request (format [`FORMAT_2`], or [`FORMAT_3`]
    /// witnessed offline).
    pub fn is_for_request(&self) -> bool {
        self.format == FORMAT_2 || self.format == FORMAT_3
    }
}

/// The `request` and `identity` members against the format: both present and of the
/// documented shape in [`FORMAT_2`], both absent in earlier formats. The paths that fail.
pub(super) fn request_member_paths(payload: &ConsentPayload) -> Vec<String> {
    let mut out = Vec::new();
    // `/3`'s members have their own rules (v3.rs).
    if payload.format == FORMAT_3 {
        return out;
    }
    if payload.format != FORMAT_2 {
        if payload.request.is_some() {
            out.push("request".to_owned());
        }
        if payload.identity.is_some() {
            out.push("identity".to_owned());
        }
        return out;
    }
    match &payload.request {
        None => out.push("request".to_owned()),
        Some(r) if !is_uuid_v4(&r.id) => out.push("request.id".to_owned()),
        Some(_) => {}
    }
    match &payload.identity {
        None => out.push("identity".to_owned()),
        Some(i) => out.extend(i.malformed_paths().into_iter().map(str::to_owned)),
    }
    out
}

/// The read-only paths of `signed` (the form in a consent) whose value differs from the
/// request's own form: one [`FieldError`] (`request.readonly_changed`) per field path that a
/// `readonly` entry covers ([`crate::request::covers`]) in either form, in the document's
/// order. A product line added or removed under a read-only `orders` is a difference at each
/// of its paths.
pub fn readonly_changes(signed: &Form, request: &Form, readonly: &[String]) -> Vec<FieldError> {
    let mut paths = request.paths();
    for p in signed.paths() {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    paths
        .into_iter()
        .filter(|p| crate::request::is_readonly(readonly, p))
        .filter(|p| signed.value(p) != request.value(p))
        .map(|path| FieldError {
            path,
            rule: crate::identity::IdentityRule::ReadonlyChanged.into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        let mut f = Form::default();
        f.set_value("contract_no", "GD-2026-0001").unwrap();
        f.set_value("customer.group_name", "广州示例科技有限公司")
            .unwrap();
        f.set_value("orders.0.product_number", "20001234567")
            .unwrap();
        f.set_value("contact.name", "张晓梅").unwrap();
        f
    }

    fn entries(e: &[&str]) -> Vec<String> {
        e.iter().map(|s| (*s).to_owned()).collect()
    }

    fn paths(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.path).collect()
    }

    /// Issue 17 item 4: "every read-only path of the form equals the request's (else a
    /// refusal naming the fields)".
    #[test]
    fn each_changed_readonly_path_is_named() {
        let request = form();
        let ro = entries(&["contract_no", "customer", "orders"]);
        assert!(readonly_changes(&request, &request, &ro).is_empty());
        let mut signed = request.clone();
        signed.set_value("customer.group_name", "别的公司").unwrap();
        signed.set_value("contract_no", "GD-2026-0002").unwrap();
        // Editable: not reported.
        signed.set_value("contact.name", "李四").unwrap();
        let errors = readonly_changes(&signed, &request, &ro);
        assert_eq!(
            paths(errors.clone()),
            ["contract_no", "customer.group_name"]
        );
        assert_eq!(errors[0].rule.code(), "request.readonly_changed");
        // A line added under a read-only `orders`: each of its paths.
        let mut more = request.clone();
        more.set_value("orders.1.remarks", "").unwrap();
        let added = paths(readonly_changes(&more, &request, &ro));
        assert!(!added.is_empty() && added.iter().all(|p| p.starts_with("orders.1.")));
        // A line removed.
        let mut fewer = request.clone();
        fewer.orders.clear();
        assert!(paths(readonly_changes(&fewer, &request, &ro))
            .contains(&"orders.0.product_number".to_owned()));
        // Not read-only: anything goes.
        assert!(readonly_changes(&signed, &request, &entries(&["contact"])).len() == 1);
    }
}
