//! The document's enumerations, by their own labels (contract.md §1: enumerated values are the
//! document's labels). The seed shows one value of each list; the rest of each list is the
//! product's, modelled on the standards the labels come from, and documented in
//! docs/decisions.md. Product names live with their clauses in [`crate::clauses::ProductKind`]
//! and ID document types in [`crate::other_id::IdType`].

/// A list of allowed labels.
pub struct LabelList {
    pub labels: &'static [&'static str],
}

impl LabelList {
    pub fn contains(&self, value: &str) -> bool {
        self.labels.contains(&value)
    }
}

/// 集团机构类型, coded `N.N label`. Seed: `1.2 企业法人`.
pub const ORG_TYPES: LabelList = LabelList {
    labels: &[
        "1.1 党政军机关",
        "1.2 企业法人",
        "1.3 事业单位",
        "1.4 社会团体",
        "1.5 民办非企业单位",
        "1.6 基金会",
        "1.7 农民专业合作社",
        "1.8 个体工商户",
        "1.9 其他组织",
    ],
};

/// 所属行业, coded `N.N label`, after the sections of GB/T 4754-2017 (section number first).
/// Seed: `3.9 电气机械及器材制造业`.
pub const INDUSTRIES: LabelList = LabelList {
    labels: &[
        "1.1 农、林、牧、渔业",
        "2.1 采矿业",
        "3.1 农副食品加工业",
        "3.2 食品、饮料制造业",
        "3.3 纺织服装、鞋帽制造业",
        "3.4 造纸及纸制品业",
        "3.5 石油、化学原料及化学制品制造业",
        "3.6 医药制造业",
        "3.7 金属制品业",
        "3.8 通用及专用设备制造业",
        "3.9 电气机械及器材制造业",
        "3.10 计算机、通信和其他电子设备制造业",
        "3.11 汽车及交通运输设备制造业",
        "3.12 其他制造业",
        "4.1 电力、热力、燃气及水生产和供应业",
        "5.1 建筑业",
        "6.1 批发和零售业",
        "7.1 交通运输、仓储和邮政业",
        "8.1 住宿和餐饮业",
        "9.1 信息传输、软件和信息技术服务业",
        "10.1 金融业",
        "11.1 房地产业",
        "12.1 租赁和商务服务业",
        "13.1 科学研究和技术服务业",
        "14.1 水利、环境和公共设施管理业",
        "15.1 居民服务、修理和其他服务业",
        "16.1 教育",
        "17.1 卫生和社会工作",
        "18.1 文化、体育和娱乐业",
        "19.1 公共管理、社会保障和社会组织",
        "20.1 国际组织",
    ],
};

/// 证件类型 of the customer (an organisation's certificate), with the USCC categories
/// (positions 1–2, GB 32100) each one may carry (domain-spec §3.5).
pub const CERT_TYPES: &[(&str, &[&str])] = &[
    ("企业法人营业执照", &["91"]),
    ("营业执照", &["91", "92", "93"]),
    ("个体工商户营业执照", &["92"]),
    ("农民专业合作社法人营业执照", &["93"]),
    ("事业单位法人证书", &["12"]),
    ("社会团体法人登记证书", &["51"]),
    ("民办非企业单位登记证书", &["52"]),
    ("基金会法人登记证书", &["53"]),
    (
        "统一社会信用代码证书",
        &[
            "11", "12", "13", "19", "51", "52", "53", "59", "91", "92", "93",
        ],
    ),
];

/// The USCC categories a certificate type allows; `None` if the label is not in the list.
pub fn cert_type_categories(label: &str) -> Option<&'static [&'static str]> {
    CERT_TYPES
        .iter()
        .find(|(l, _)| *l == label)
        .map(|(_, c)| *c)
}

/// 业务类型. Seed: `预约销户` (scheduled cancellation).
pub const BUSINESS_TYPES: LabelList = LabelList {
    labels: &["预约销户", "立即销户"],
};

/// 销户原因. Seed: `客户倒闭或搬迁`. `其他` is followed by the reason in words:
/// `其他：…` (see [`OTHER_REASON_PREFIX`]).
pub const CANCELLATION_REASONS: LabelList = LabelList {
    labels: &[
        "客户倒闭或搬迁",
        "业务需求变化",
        "资费原因",
        "网络质量原因",
        "服务原因",
        "转用其他运营商",
        "合同到期不续约",
    ],
};

/// A reason outside the list: `其他：` then 2–50 characters of the customer's own words.
pub const OTHER_REASON_PREFIX: &str = "其他：";

/// 业务受理渠道. Seed: `客户经理`.
pub const CHANNELS: LabelList = LabelList {
    labels: &[
        "客户经理",
        "营业厅",
        "网上营业厅",
        "10086热线",
        "政企客户服务中心",
    ],
};
