//! The English shown beside the document's enumerated labels (docs/glossary.md §3). The stored
//! value is always the Chinese label (contract.md §1); these words are for the reader only.
//! Coded labels keep their code (`1.2 enterprise legal person`).

use crate::clauses::ProductKind;
use crate::other_id::IdType;

/// (zh label, en label) pairs of the lists in [`crate::enums`], after docs/glossary.md.
const PAIRS: &[(&str, &str)] = &[
    // 集团机构类型
    ("1.1 党政军机关", "1.1 Party, government or military body"),
    ("1.2 企业法人", "1.2 enterprise legal person"),
    ("1.3 事业单位", "1.3 public institution"),
    ("1.4 社会团体", "1.4 social organisation"),
    ("1.5 民办非企业单位", "1.5 private non-enterprise unit"),
    ("1.6 基金会", "1.6 foundation"),
    (
        "1.7 农民专业合作社",
        "1.7 farmers' specialised co-operative",
    ),
    ("1.8 个体工商户", "1.8 individual business"),
    ("1.9 其他组织", "1.9 other organisation"),
    // 证件类型 (organisation)
    (
        "企业法人营业执照",
        "Business Licence of Enterprise Legal Person",
    ),
    ("营业执照", "Business Licence"),
    (
        "个体工商户营业执照",
        "Business Licence of Individual Business",
    ),
    (
        "农民专业合作社法人营业执照",
        "Business Licence of Farmers' Specialised Co-operative Legal Person",
    ),
    (
        "事业单位法人证书",
        "Public Institution Legal Person Certificate",
    ),
    (
        "社会团体法人登记证书",
        "Social Organisation Legal Person Registration Certificate",
    ),
    (
        "民办非企业单位登记证书",
        "Private Non-enterprise Unit Registration Certificate",
    ),
    (
        "基金会法人登记证书",
        "Foundation Legal Person Registration Certificate",
    ),
    (
        "统一社会信用代码证书",
        "Unified Social Credit Code Certificate",
    ),
    // 所属行业
    (
        "1.1 农、林、牧、渔业",
        "1.1 agriculture, forestry, animal husbandry and fishery",
    ),
    ("2.1 采矿业", "2.1 mining"),
    (
        "3.1 农副食品加工业",
        "3.1 processing of food from agricultural products",
    ),
    (
        "3.2 食品、饮料制造业",
        "3.2 manufacture of food and beverages",
    ),
    (
        "3.3 纺织服装、鞋帽制造业",
        "3.3 manufacture of textile garments, footwear and headwear",
    ),
    (
        "3.4 造纸及纸制品业",
        "3.4 manufacture of paper and paper products",
    ),
    (
        "3.5 石油、化学原料及化学制品制造业",
        "3.5 petroleum, chemical raw materials and chemical products",
    ),
    ("3.6 医药制造业", "3.6 manufacture of medicines"),
    ("3.7 金属制品业", "3.7 manufacture of metal products"),
    (
        "3.8 通用及专用设备制造业",
        "3.8 manufacture of general-purpose and special-purpose equipment",
    ),
    (
        "3.9 电气机械及器材制造业",
        "3.9 manufacture of electrical machinery and equipment",
    ),
    (
        "3.10 计算机、通信和其他电子设备制造业",
        "3.10 manufacture of computers, communication and other electronic equipment",
    ),
    (
        "3.11 汽车及交通运输设备制造业",
        "3.11 manufacture of motor vehicles and transport equipment",
    ),
    ("3.12 其他制造业", "3.12 other manufacturing"),
    (
        "4.1 电力、热力、燃气及水生产和供应业",
        "4.1 production and supply of electricity, heat, gas and water",
    ),
    ("5.1 建筑业", "5.1 construction"),
    ("6.1 批发和零售业", "6.1 wholesale and retail trade"),
    (
        "7.1 交通运输、仓储和邮政业",
        "7.1 transport, storage and postal services",
    ),
    ("8.1 住宿和餐饮业", "8.1 accommodation and catering"),
    (
        "9.1 信息传输、软件和信息技术服务业",
        "9.1 information transmission, software and information technology services",
    ),
    ("10.1 金融业", "10.1 finance"),
    ("11.1 房地产业", "11.1 real estate"),
    (
        "12.1 租赁和商务服务业",
        "12.1 leasing and business services",
    ),
    (
        "13.1 科学研究和技术服务业",
        "13.1 scientific research and technical services",
    ),
    (
        "14.1 水利、环境和公共设施管理业",
        "14.1 water conservancy, environment and public facilities management",
    ),
    (
        "15.1 居民服务、修理和其他服务业",
        "15.1 resident services, repair and other services",
    ),
    ("16.1 教育", "16.1 education"),
    ("17.1 卫生和社会工作", "17.1 health and social work"),
    (
        "18.1 文化、体育和娱乐业",
        "18.1 culture, sports and entertainment",
    ),
    (
        "19.1 公共管理、社会保障和社会组织",
        "19.1 public administration, social security and social organisations",
    ),
    ("20.1 国际组织", "20.1 international organisations"),
    // 业务类型
    ("预约销户", "scheduled cancellation"),
    ("立即销户", "immediate cancellation"),
    // 销户原因
    ("客户倒闭或搬迁", "customer closed down or relocated"),
    ("业务需求变化", "change in business needs"),
    ("资费原因", "tariff reasons"),
    ("网络质量原因", "network quality reasons"),
    ("服务原因", "service reasons"),
    ("转用其他运营商", "switching to another operator"),
    ("合同到期不续约", "contract expired, not renewed"),
    ("其他", "other"),
    // 业务受理渠道
    ("客户经理", "account manager"),
    ("营业厅", "business hall"),
    ("网上营业厅", "online business hall"),
    ("10086热线", "10086 hotline"),
    (
        "政企客户服务中心",
        "Government and Enterprise Customer Service Centre",
    ),
];

/// The English for a document label of any of the form's lists (organisation types,
/// certificate and ID types, industries, products, business types, reasons, channels), or
/// `None` for a value that is in none of them.
pub fn label_en(zh: &str) -> Option<&'static str> {
    if let Some(kind) = IdType::ALL.into_iter().find(|t| t.label_zh() == zh) {
        return Some(kind.label_en());
    }
    if let Ok(kind) = ProductKind::from_label(zh) {
        return Some(kind.label_en());
    }
    PAIRS.iter().find(|(z, _)| *z == zh).map(|(_, en)| *en)
}

/// `agent.matter` in the seed, with its English from docs/glossary.md §3.
const SEED_MATTER: (&str, &str) = ("移动相关业务", "China Mobile-related services");

/// The English form of a stored value (content README 1.5, docs/glossary.md §3): a list's
/// label ([`label_en`]), the seed's matter of the authorisation letter, or a reason outside
/// the list written as `其他：` + the customer's own words; `None` for any other value (a
/// name, a number, free text: shown as entered). The app's agreement and the receiver's
/// evidence PDF both show values through this.
pub fn english(value: &str) -> Option<String> {
    if let Some(en) = label_en(value) {
        return Some(en.to_owned());
    }
    if value == SEED_MATTER.0 {
        return Some(SEED_MATTER.1.to_owned());
    }
    let words = value.strip_prefix(crate::enums::OTHER_REASON_PREFIX)?;
    let other = label_en("其他").unwrap_or("other");
    Some(format!("{other}: {words}"))
}

/// The placeholders that hold a date (`YYYY-MM-DD` in the form).
const DATE_PATHS: [&str; 3] = ["signing.date", "agent.valid_from", "agent.valid_to"];

/// A date as the agreement writes it: `2023年04月01日` (zero-padded, as in the seed) or
/// `1 April 2023`.
pub fn agreement_date(date: crate::date::Date, lang: crate::content::Lang) -> String {
    use crate::content::Lang;
    match lang {
        Lang::Zh => format!(
            "{:04}年{:02}月{:02}日",
            date.year(),
            date.month(),
            date.day()
        ),
        Lang::En => format!("{} {} {}", date.day(), date.month_name_en(), date.year()),
    }
}

/// The text shown in the agreement's blank `path` whose form value is `raw`, in `lang`
/// (content README 1.5): dates in the text's language, enumerated values in English in the
/// English text, everything else as entered; a value not known yet is the empty string.
/// `party_b.signature` is issued by Party B's system when the carrier countersigns; the
/// customer's copy does not know it, so it is always a blank.
pub fn blank_value(path: &str, raw: &str, lang: crate::content::Lang) -> String {
    use crate::content::{Lang, PARTY_B_SIGNATURE};
    let value = raw.trim();
    if value.is_empty() || path == PARTY_B_SIGNATURE {
        return String::new();
    }
    if DATE_PATHS.contains(&path) {
        // A date still being typed is shown as typed.
        return match crate::date::Date::parse_iso(value) {
            Ok(date) => agreement_date(date, lang),
            Err(_) => value.to_owned(),
        };
    }
    match lang {
        Lang::Zh => value.to_owned(),
        Lang::En => english(value).unwrap_or_else(|| value.to_owned()),
    }
}

/// (zh, en) of a preview figure's name and of the clause it comes from.
pub struct FigureWords {
    pub zh: &'static str,
    pub en: &'static str,
    pub clause_zh: &'static str,
    pub clause_en: &'static str,
}

/// The words of a preview key's last segment (contract.md §2), as the app's previews and the
/// receiver's evidence PDF name the figure; empty for a name that is no figure's.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums;

    #[test]
    fn every_list_value_has_english() {
        let lists = [
            enums::ORG_TYPES.labels,
            enums::INDUSTRIES.labels,
            enums::BUSINESS_TYPES.labels,
            enums::CANCELLATION_REASONS.labels,
            enums::CHANNELS.labels,
        ];
        for label in lists.into_iter().flatten() {
            assert!(label_en(label).is_some(), "{label}");
        }
        for (label, _) in enums::CERT_TYPES {
            assert!(label_en(label).is_some(), "{label}");
        }
        for kind in IdType::ALL {
            assert_eq!(label_en(kind.label_zh()), Some(kind.label_en()));
        }
        for kind in ProductKind::ALL {
            assert_eq!(label_en(kind.label_zh()), Some(kind.label_en()));
        }
        assert_eq!(
            label_en("1.2 企业法人"),
            Some("1.2 enterprise legal person")
        );
        assert_eq!(label_en("no such label"), None);
    }

    #[test]
    fn seed_labels_have_english_forms() {
        for (zh, en) in [
            ("1.2 企业法人", "1.2 enterprise legal person"),
            (
                "企业法人营业执照",
                "Business Licence of Enterprise Legal Person",
            ),
            (
                "3.9 电气机械及器材制造业",
                "3.9 manufacture of electrical machinery and equipment",
            ),
            ("互联网专线", "Internet leased line"),
            ("移动云", "Mobile Cloud"),
            ("预约销户", "scheduled cancellation"),
            ("客户倒闭或搬迁", "customer closed down or relocated"),
            ("客户经理", "account manager"),
            ("移动相关业务", "China Mobile-related services"),
            ("其他：不再需要", "other: 不再需要"),
        ] {
            assert_eq!(english(zh).as_deref(), Some(en), "{zh}");
        }
        assert!(english("身份证").is_some_and(|en| !en.is_empty() && en.is_ascii()));
        assert_eq!(english("深圳特发东智科技有限公司"), None);
        assert_eq!(english("/"), None);
        assert_eq!(english(""), None);
    }

    #[test]
    fn blanks_show_dates_and_labels_in_the_texts_language() {
        use crate::content::{Lang, PARTY_B_SIGNATURE};
        assert_eq!(
            blank_value("agent.valid_from", "2023-04-01", Lang::Zh),
            "2023年04月01日"
        );
        assert_eq!(
            blank_value("agent.valid_from", "2023-04-01", Lang::En),
            "1 April 2023"
        );
        assert_eq!(
            blank_value("signing.date", "2023-12-31", Lang::En),
            "31 December 2023"
        );
        assert_eq!(blank_value("signing.date", "2023-1", Lang::Zh), "2023-1");
        assert_eq!(
            blank_value("orders.0.reason", "客户倒闭或搬迁", Lang::Zh),
            "客户倒闭或搬迁"
        );
        assert_eq!(
            blank_value("orders.0.reason", "客户倒闭或搬迁", Lang::En),
            "customer closed down or relocated"
        );
        assert_eq!(blank_value("contact.name", " 张晓梅 ", Lang::En), "张晓梅");
        assert_eq!(blank_value("customer.group_name", "  ", Lang::Zh), "");
        assert_eq!(blank_value(PARTY_B_SIGNATURE, "x", Lang::Zh), "");
    }
}
