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

/// (zh, en) of a preview figure's name and of the clause it comes from.
pub struct FigureWords {
    pub zh: &'static str,
    pub en: &'static str,
    pub clause_zh: &'static str,
    pub clause_en: &'static str,
}

/// The words of a preview key's last segment (contract.md §2).
pub fn figure_words(name: &str) -> FigureWords {
    let w = |zh, en, clause_zh, clause_en| FigureWords {
        zh,
        en,
        clause_zh,
        clause_en,
    };
    match name {
        "unexecuted_months" => w(
            "未执行月数（含终止当月）",
            "Unexecuted months (termination month included)",
            "服务协议第二条第17款",
            "Service agreement art. 2 §17",
        ),
        "current_term_end" => w(
            "当期协议届满日",
            "End of the current term",
            "服务协议第七条第3款",
            "Service agreement art. 7 §3",
        ),
        "penalty" => w(
            "提前终止违约金（含专项投资）",
            "Early-termination penalty (investment included)",
            "服务协议第二条第17款",
            "Service agreement art. 2 §17",
        ),
        "final_month_charge" => w(
            "销户当月费用（按自然日）",
            "Charge for the cancellation month (by calendar day)",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "final_month_vat_net" => w(
            "其中不含税金额",
            "of which net of VAT",
            "服务协议第四条第4款",
            "Service agreement art. 4 §4",
        ),
        "final_month_vat_tax" => w(
            "其中增值税",
            "of which VAT",
            "服务协议第四条第4款",
            "Service agreement art. 4 §4",
        ),
        "final_bill_due" => w(
            "末期账单缴费日",
            "Final bill due",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "notice_from" => w(
            "不续约书面通知期起始日",
            "Written notice of non-renewal possible from",
            "服务协议第七条第3款",
            "Service agreement art. 7 §3",
        ),
        "days_overdue" => w(
            "逾期天数",
            "Days overdue",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "fee" => w(
            "违约金（每日3%）",
            "Late fee (3% per day)",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "suspension_from" => w(
            "可暂停服务日",
            "Service may be suspended from",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "termination_from" => w(
            "可终止服务日",
            "Service may be terminated from",
            "服务协议第四条第3款",
            "Service agreement art. 4 §3",
        ),
        "reply_by" => w(
            "签署日提出更正或删除请求的答复期限（15个工作日）",
            "Reply to a correction or deletion request made on the signing date due by (15 working days)",
            "隐私政策 四(二)(三)",
            "Privacy policy IV (b)(c)",
        ),
        _ => w("", "", "", ""),
    }
}
