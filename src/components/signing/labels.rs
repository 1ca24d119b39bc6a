//! The form's words: each field's label (after docs/glossary.md), each section's title, and
//! each figure's clause. One table, so a field is named the same in its section and in the
//! error summary.

/// (zh, en) label of a field path; product-line fields are named without their line number
/// (see [`summary_label`]).
pub fn field_label(path: &str) -> (&'static str, &'static str) {
    let field = path
        .strip_prefix("orders.")
        .and_then(|rest| rest.split_once('.'))
        .map(|(_, f)| f);
    if let Some(field) = field {
        return order_label(field);
    }
    match path {
        "contract_no" => ("合同编号", "Contract No."),
        "customer.group_name" => ("集团名称", "Group name"),
        "customer.group_code" => ("集团编码", "Group code"),
        "customer.org_type" => ("集团机构类型", "Group organisation type"),
        "customer.office_address" => ("办公地址", "Office address"),
        "customer.cert_type" => ("证件类型", "Certificate type"),
        "customer.cert_number" => (
            "证件号码（统一社会信用代码）",
            "Certificate number (Unified Social Credit Code)",
        ),
        "customer.industry" => ("所属行业", "Industry"),
        "customer.employees" => ("员工人数", "Number of employees"),
        "customer.phone" => ("公司电话", "Company telephone"),
        "contact.name" | "admin.name" | "agent.name" => ("姓名", "Name"),
        "contact.mobile" | "admin.mobile" | "agent.mobile" => ("手机号码", "Mobile number"),
        "contact.email" | "admin.email" => ("邮箱", "E-mail"),
        "contact.id_type" | "agent.id_type" => ("证件类型", "ID type"),
        "contact.id_number" | "agent.id_number" => ("证件号码", "ID number"),
        "agent.matter" => ("委托事项", "Matter"),
        "agent.valid_from" => ("委托期限自", "Authorised from"),
        "agent.valid_to" => ("委托期限至", "Authorised until"),
        "signing.representative" => ("甲方代表签名（姓名）", "Party A's representative (name)"),
        "signing.date" => ("签名日期", "Date of signature"),
        "late.arrears" => ("欠费金额（元）", "Arrears (yuan)"),
        "late.due_date" => ("应缴日期", "Payment due date"),
        "late.as_of" => ("计算至", "Calculated as of"),
        "orders" => ("业务信息", "Business information"),
        _ => ("", ""),
    }
}

fn order_label(field: &str) -> (&'static str, &'static str) {
    match field {
        "sub_order_no" => ("子受理单号", "Sub-order No."),
        "product_name" => ("产品名称", "Product name"),
        "product_number" => ("产品号码", "Product number"),
        "business_type" => ("业务类型", "Business type"),
        "reason" => ("销户原因", "Cancellation reason"),
        "channel" => ("业务受理渠道", "Business acceptance channel"),
        "remarks" => ("备注", "Remarks"),
        "monthly_fee" => ("月租费（元）", "Monthly fee (yuan)"),
        "term_end" => ("协议期限届满日", "Last day of the term"),
        "cancel_date" => (
            "销户日期（最后服务日）",
            "Cancellation date (last day of service)",
        ),
        "investment" => (
            "乙方专项投资（元）",
            "Party B's dedicated investment (yuan)",
        ),
        _ => ("", ""),
    }
}

/// (zh, en) title of the section a path belongs to.
pub fn section_title(path: &str) -> (&'static str, &'static str) {
    match path.split('.').next().unwrap_or("") {
        "contract_no" | "customer" => ("客户信息", "Customer information"),
        "contact" => ("集团联系人", "Group contact"),
        "admin" => ("集团产品管理员", "Group product administrator"),
        "orders" => ("业务信息", "Business information"),
        "agent" => ("单位授权委托书", "Letter of Authorisation"),
        "signing" => ("签署", "Signing"),
        "late" => ("逾期付款计算", "Late-payment calculator"),
        "consent" => ("同意", "Consent"),
        "signature" => ("签名", "Signature"),
        _ => ("", ""),
    }
}

/// The label an error summary gives a path: section, line number if any, field.
pub fn summary_label(path: &str) -> (String, String) {
    let (szh, sen) = section_title(path);
    let (fzh, fen) = field_label(path);
    let line = path
        .strip_prefix("orders.")
        .and_then(|r| r.split('.').next())
        .and_then(|n| n.parse::<usize>().ok());
    match line {
        Some(n) => (
            format!("{szh}{} · {fzh}", n + 1),
            format!("{sen} {} · {fen}", n + 1),
        ),
        None if fzh.is_empty() || fzh == szh => (szh.to_owned(), sen.to_owned()),
        None => (format!("{szh} · {fzh}"), format!("{sen} · {fen}")),
    }
}

/// (zh, en) of a preview figure's name and of the clause it comes from: the domain's, which
/// the receiver's evidence PDF shows too.
pub use qianyue_domain::labels::{figure_words, FigureWords};
