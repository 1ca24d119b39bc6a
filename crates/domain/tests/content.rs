//! The agreement content (`crates/domain/content/`): seed reconstruction (README §3), the zh/en
//! pairing and placeholder rules, the canonical text and content hashes
//! (`docs/content-hashes.md`), and the parser's errors. Test names lead with what they check.

use proptest::prelude::*;
use qianyue_domain::content::*;

/// The seed (`/work/shared/seed/agreement-cancellation-order.zh.txt`), copied byte for byte.
const SEED: &str = include_str!("fixtures/seed/agreement-cancellation-order.zh.txt");

// ---------------------------------------------------------------- seed reconstruction (README §3)

/// The seed instance's values (README §3 table), as written in the seed.
fn seed_value(path: &str) -> Option<&'static str> {
    Some(match path {
        "contract_no" => "75523040460309832023040617",
        "customer.group_name" => "深圳特发东智科技有限公司",
        "customer.group_code" => "2002692004",
        "customer.org_type" => "1.2 企业法人",
        "customer.office_address" => "深圳市龙岗区龙岗街道宝龙社区宝龙二路3号京能工业园科研楼",
        "customer.cert_type" => "企业法人营业执照",
        "customer.cert_number" => "91440300758613572G",
        "customer.industry" => "3.9 电气机械及器材制造业",
        "customer.employees" => "10",
        "customer.phone" => "18812345678",
        "contact.name" => "张晓梅",
        "contact.mobile" => "13800138000",
        "contact.email" => "13800138000@139.com",
        "contact.id_type" => "身份证",
        "contact.id_number" => "440307198505201246",
        "admin.name" => "王建国",
        "admin.mobile" => "13912345678",
        "admin.email" => "13912345678@139.com",
        "orders.0.sub_order_no" => "7552304046004915",
        "orders.0.product_name" => "互联网专线",
        "orders.0.product_number" => "30221115150",
        "orders.0.business_type" => "预约销户",
        "orders.0.reason" => "客户倒闭或搬迁",
        "orders.0.channel" => "客户经理",
        "orders.0.remarks" => "/",
        "orders.1.sub_order_no" => "7552304046028604",
        "orders.1.product_name" => "移动云",
        "orders.1.product_number" => "50255013641",
        "orders.1.business_type" => "预约销户",
        "orders.1.reason" => "客户倒闭或搬迁",
        "orders.1.remarks" => "/",
        "signing.representative" => "刘志强",
        "signing.date" => "2023年04月10日",
        "party_b.signature" => "755230404603098320230406173615",
        "agent.name" => "刘志强",
        "agent.id_type" => "身份证",
        "agent.id_number" => "440305199608185316",
        "agent.mobile" => "15012345678",
        "agent.matter" => "移动相关业务",
        "agent.valid_from" => "2023年04月01日",
        "agent.valid_to" => "2023年12月31日",
        _ => return None,
    })
}

/// The seed's product lines, in order.
const SEED_PRODUCTS: [&str; 2] = ["互联网专线", "移动云"];

/// README §3 step 3: a block's seed text with the seed values filled in. A path without a seed
/// value fails the test rather than filling a blank.
fn filled_seed_text(block: &Block) -> String {
    fill(&block.seed_text(), |path| {
        Some(
            seed_value(path)
                .unwrap_or_else(|| panic!("no seed value for {{{path}}} in {}", block.id))
                .to_string(),
        )
    })
}

/// README §3 steps 1–4: the zh seed text of a part.
fn reconstruct(part: PartId) -> String {
    let blocks = agreement()
        .part(part)
        .expand(Lang::Zh, &SEED_PRODUCTS)
        .expect("the seed's product names select templates");
    let blocks: Vec<&Block> = blocks.iter().filter(|b| !b.is_notice()).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < blocks.len() {
        let block = blocks[i];
        let piece = if block.table_row == TableRow::Start {
            // A run of table fields: labels joined by tabs, a line break, values joined by tabs.
            let mut labels = Vec::new();
            let mut values = Vec::new();
            let mut j = i;
            while j < blocks.len() && (j == i || blocks[j].table_row == TableRow::Continue) {
                let text = filled_seed_text(blocks[j]);
                let (label, value) = text.split_once('：').unwrap_or((&text, ""));
                labels.push(label.to_string());
                values.push(value.to_string());
                j += 1;
            }
            i = j;
            format!("{}\n{}", labels.join("\t"), values.join("\t"))
        } else {
            i += 1;
            filled_seed_text(block)
        };
        let joins = if block.table_row == TableRow::None {
            block.joins
        } else {
            Join::NewParagraph
        };
        match joins {
            Join::Space => out.push(' '),
            Join::NoSeparator => {}
            Join::NewParagraph if out.is_empty() => {}
            Join::NewParagraph => out.push_str("\n\n"),
        }
        out.push_str(&piece);
    }
    out
}

/// README §3: the seed's section of a part, from its title line to the next part's title line.
fn seed_section(part: PartId) -> &'static str {
    let start_of = |p: PartId| {
        let title = p.title(Lang::Zh);
        let mut offset = 0;
        let mut found = Vec::new();
        for line in SEED.split_inclusive('\n') {
            if line.trim_end_matches('\n') == title {
                found.push(offset);
            }
            offset += line.len();
        }
        assert_eq!(
            found.len(),
            1,
            "the title {title} is one whole line of the seed"
        );
        found[0]
    };
    let start = start_of(part);
    let end = PartId::ALL
        .get(part.index() + 1)
        .map_or(SEED.len(), |&next| start_of(next));
    &SEED[start..end]
}

/// README §3 step 5: every run of white space becomes one space; trimmed.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_reconstructs(part: PartId) {
    let rebuilt = normalise(&reconstruct(part));
    let seed = normalise(seed_section(part));
    if rebuilt != seed {
        let at = rebuilt
            .char_indices()
            .zip(seed.chars())
            .find(|((_, a), b)| a != b)
            .map_or(rebuilt.len().min(seed.len()), |((i, _), _)| i);
        let from = rebuilt[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        panic!(
            "{part:?} differs from the seed after {:?}\nrebuilt: {:?}\nseed:    {:?}",
            &rebuilt[from..at],
            rebuilt[at..].chars().take(60).collect::<String>(),
            seed[at.min(seed.len())..]
                .chars()
                .take(60)
                .collect::<String>(),
        );
    }
}

#[test]
fn reconstruction_privacy_policy_equals_the_seed() {
    assert_reconstructs(PartId::Privacy);
}

#[test]
fn reconstruction_service_agreement_equals_the_seed() {
    assert_reconstructs(PartId::Service);
}

#[test]
fn reconstruction_order_with_seed_values_equals_the_seed() {
    assert_reconstructs(PartId::Order);
}

#[test]
fn reconstruction_authorization_letter_with_seed_values_equals_the_seed() {
    assert_reconstructs(PartId::Authorization);
}

#[test]
fn reconstruction_seed_fixture_is_the_shared_seed_byte_for_byte() {
    // `sha256sum /work/shared/seed/agreement-cancellation-order.zh.txt` (36 421 bytes).
    assert_eq!(SEED.len(), 36_421);
    assert_eq!(
        sha256_hex(SEED.as_bytes()),
        "03590decb4ee8c7247543dcf1e30dc379e2bcc38b9408d6848ac0744abac2f8d"
    );
}

// ---------------------------------------------------------------- zh/en pairs and placeholders

fn is_cjk_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

#[test]
fn pairs_every_embedded_file_parses() {
    for part in PartId::ALL {
        for lang in Lang::ALL {
            if let Err(e) = parse(source(part, lang)) {
                panic!("{}.{}.txt: {e}", part.hook(), lang.file_suffix());
            }
        }
    }
    assert!(try_agreement().is_ok());
    let a = agreement();
    assert!(std::ptr::eq(a, agreement()), "parsed once");
    assert_eq!((a.id, a.version), (AGREEMENT_ID, AGREEMENT_VERSION));
    assert_eq!((a.id, a.version), ("cmgd-cancellation", "v2"));
    for (i, part) in a.parts.iter().enumerate() {
        assert_eq!(part.id, PartId::ALL[i]);
        // The per-language files a client loads apart are the same text.
        assert_eq!(source_zh(part.id), source(part.id, Lang::Zh));
        assert_eq!(source_en(part.id), source(part.id, Lang::En));
        assert_eq!(
            parse_part(part.id, Lang::En, source_en(part.id)).as_ref(),
            Ok(&part.en)
        );
    }
    let broken = parse_part(PartId::Service, Lang::En, "@notice note\n").unwrap_err();
    assert_eq!((broken.part, broken.lang), (PartId::Service, Lang::En));
}

#[test]
fn pairs_zh_and_en_have_the_same_ids_kinds_and_modifiers_in_the_same_order() {
    for part in &agreement().parts {
        let headers =
            |lang| -> Vec<String> { part.blocks(lang).iter().map(Block::header).collect() };
        assert_eq!(headers(Lang::Zh), headers(Lang::En), "{:?}", part.id);
    }
}

#[test]
fn pairs_no_block_is_empty_in_either_language() {
    for part in &agreement().parts {
        for lang in Lang::ALL {
            for b in part.blocks(lang) {
                assert!(!b.lines.is_empty(), "{:?} {lang:?} {}", part.id, b.id);
                assert!(
                    !b.text().trim().is_empty(),
                    "{:?} {lang:?} {}",
                    part.id,
                    b.id
                );
            }
        }
    }
}

#[test]
fn pairs_placeholders_are_identical_per_block_pair() {
    for part in &agreement().parts {
        for (zh, en) in part.zh.iter().zip(&part.en) {
            let mut a = zh.placeholders();
            let mut b = en.placeholders();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{:?} {}", part.id, zh.id);
        }
    }
}

#[test]
fn pairs_every_placeholder_is_a_contract_path() {
    for part in &agreement().parts {
        for lang in Lang::ALL {
            for b in part.blocks(lang) {
                for p in b.placeholders() {
                    assert!(is_contract_path(p), "{:?} {} {{{p}}}", part.id, b.id);
                    assert!(
                        seed_value(&p.replace(".N.", ".0.")).is_some()
                            || seed_value(&p.replace(".N.", ".1.")).is_some()
                    );
                }
            }
        }
    }
}

#[test]
fn pairs_contract_paths_accept_the_listed_paths_only() {
    for ok in [
        "contract_no",
        "customer.group_name",
        "customer.phone",
        "contact.id_number",
        "admin.email",
        "orders.N.product_name",
        "orders.0.remarks",
        "orders.12.channel",
        "agent.valid_to",
        "signing.date",
        "signing.representative",
        "party_b.signature",
    ] {
        assert!(is_contract_path(ok), "{ok}");
    }
    for bad in [
        "",
        "contract",
        "customer",
        "customer.name",
        "orders.N",
        "orders.x.reason",
        "orders.01.reason",
        "orders.N.reason.x",
        "agent.valid",
        "party_b.name",
        "signing.date.x",
    ] {
        assert!(!is_contract_path(bad), "{bad}");
    }
}

#[test]
fn pairs_notice_texts_titles_and_english_rules() {
    for part in &agreement().parts {
        assert_eq!(part.zh[0].id, "notice");
        assert_eq!(part.zh[0].text(), "本译文仅供参考，以中文文本为准。");
        assert_eq!(
            part.en[0].text(),
            "This English translation is for reference only; the Chinese text prevails."
        );
        for lang in Lang::ALL {
            let titles: Vec<&Block> = part
                .blocks(lang)
                .iter()
                .filter(|b| b.kind == Kind::Title)
                .collect();
            assert_eq!(titles.len(), 1);
            assert_eq!(titles[0].id, "title");
            assert_eq!(titles[0].text(), part.id.title(lang));
        }
        for b in &part.en {
            assert_eq!(b.lines.len(), 1, "{:?} {}", part.id, b.id);
            assert!(!b.lines[0].contains(PARAGRAPH_BREAK));
            assert!(
                !b.lines[0].chars().any(is_cjk_ideograph),
                "{:?} {}: {}",
                part.id,
                b.id,
                b.lines[0]
            );
        }
    }
}

#[test]
fn parts_hooks_tags_and_lookup() {
    let hooks: Vec<&str> = PartId::ALL.iter().map(|p| p.hook()).collect();
    assert_eq!(hooks, ["order", "privacy", "service", "authorization"]);
    for p in PartId::ALL {
        assert_eq!(PartId::from_hook(p.hook()), Some(p));
    }
    assert_eq!(Lang::Zh.tag(), "zh-CN");
    assert_eq!(Lang::En.tag(), "en");
    assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
    assert_eq!(Lang::from_tag("zh"), None);
    let a = agreement();
    let rep = a
        .part(PartId::Order)
        .block(Lang::Zh, "sign.party_a_rep")
        .unwrap();
    assert_eq!(rep.lines, ["甲方代表签名：⏎", "{signing.representative}"]);
    assert_eq!(rep.text(), "甲方代表签名：{signing.representative}");
    assert_eq!(
        rep.seed_text(),
        "甲方代表签名：\n\n{signing.representative}"
    );
    let copies = a
        .part(PartId::Authorization)
        .block(Lang::Zh, "copies")
        .unwrap();
    assert_eq!(copies.text(), "一式二联");
    assert_eq!(copies.seed_text(), "一式\n二联");
    let email = a
        .part(PartId::Order)
        .block(Lang::En, "contact.email")
        .unwrap();
    assert_eq!(
        (email.joins, email.table_row),
        (Join::NewParagraph, TableRow::Continue)
    );
    assert_eq!(email.kind_with_modifiers(), "field|+");
    assert_eq!(
        email.label_value(Lang::En),
        Some(("Email".to_string(), "{contact.email}".to_string()))
    );
}

// ---------------------------------------------------------------- product-line templates

#[test]
fn templates_expand_per_product_line_with_indexed_ids_and_paths() {
    let order = agreement().part(PartId::Order);
    let blocks = order.expand(Lang::Zh, &SEED_PRODUCTS).unwrap();
    let ids: Vec<&str> = blocks.iter().map(|b| b.id.as_str()).collect();
    let start = ids.iter().position(|i| i.contains('#')).unwrap();
    assert_eq!(ids[start - 1], "admin.email");
    assert_eq!(
        &ids[start..start + 13],
        [
            "order.line.heading#0",
            "order.line.sub_order_no#0",
            "order.line.product_name#0",
            "order.line.product_number#0",
            "order.line.business_type#0",
            "order.line.reason#0",
            "order.line.channel#0",
            "order.line.remarks#0",
            "order.cloud.heading#1",
            "order.cloud.sub_order_no#1",
            "order.cloud.product_number#1",
            "order.cloud.reason#1",
            "order.cloud.remarks#1",
        ]
    );
    assert_eq!(ids[start + 13], "sign.party_a_seal");
    assert_eq!(
        blocks[start + 9].text(),
        "子受理单号：{orders.1.sub_order_no}"
    );
    for b in &blocks {
        assert!(!b.text().contains("orders.N."), "{}", b.id);
        assert!(b.placeholders().iter().all(|p| is_contract_path(p)));
    }

    // 数据专线 and 跨境专线 use the leased-line template; no orders, no product-line blocks.
    let three = order
        .expand(Lang::En, &["数据专线", "跨境专线", "移动云"])
        .unwrap();
    assert!(three.iter().any(|b| b.id == "order.line.channel#1"));
    assert!(three.iter().any(|b| b.id == "order.cloud.heading#2"));
    let none = order.expand(Lang::En, &[]).unwrap();
    assert!(none.iter().all(|b| !b.id.starts_with("order.")));
    assert_eq!(none.len(), order.en.len() - 13);

    // Unknown product names are refused with their index; other parts come back unchanged.
    assert_eq!(
        order.expand(Lang::Zh, &["移动云", "专线"]),
        Err(UnknownProduct {
            index: 1,
            name: "专线".to_string()
        })
    );
    let privacy = agreement().part(PartId::Privacy);
    assert_eq!(
        privacy.expand(Lang::Zh, &SEED_PRODUCTS).unwrap(),
        privacy.zh
    );
}

#[test]
fn templates_fill_shows_unknown_values_as_empty_blanks() {
    let heading = &agreement()
        .part(PartId::Order)
        .expand(Lang::Zh, &["移动云"])
        .unwrap();
    let heading = heading
        .iter()
        .find(|b| b.id == "order.cloud.heading#0")
        .unwrap();
    let shown = heading.filled_text(|p| (p == "orders.0.product_name").then(|| "移动云".into()));
    assert_eq!(shown, "移动云【】--业务信息");
}

// ---------------------------------------------------------------- canonical text and hashes

/// The worked example of docs/content-hashes.md.
const SAMPLE: &str = "# A sample in the content format.

@admin.name field|
姓名：{admin.name}

@admin.mobile field|+
手机号码：{admin.mobile}

@sign.party_a_rep field
甲方代表签名：⏎
{signing.representative}
";

/// Its canonical text, written out by hand.
const SAMPLE_CANONICAL: &str = "admin.name\tfield|\t姓名：{admin.name}\n\
                                admin.mobile\tfield|+\t手机号码：{admin.mobile}\n\
                                sign.party_a_rep\tfield\t甲方代表签名：{signing.representative}\n";

/// SHA-256 of SAMPLE_CANONICAL, computed independently (`printf … | sha256sum`).
const SAMPLE_HASH: &str = "37bc9bddd30698078bd93275f01d66b3ff4e42d516a9d6add6b19004c5f7a657";

#[test]
fn hash_vector_sample_clause_canonical_text_and_sha256() {
    let blocks = parse(SAMPLE).unwrap();
    assert_eq!(canonical_text(&blocks), SAMPLE_CANONICAL);
    assert_eq!(SAMPLE_CANONICAL.len(), 160);
    assert_eq!(canonical_hash(&blocks), SAMPLE_HASH);
    assert_eq!(sha256_hex(SAMPLE_CANONICAL.as_bytes()), SAMPLE_HASH);
}

#[test]
fn hash_vector_sha256_of_standard_inputs() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

/// The v1 hashes as published in docs/content-hashes.md, computed there by an independent
/// implementation of the canonical form. v1 is never edited in place: a change of text is a
/// new version directory with its own hashes.
const V1_HASHES: [(PartId, Lang, &str); 8] = [
    (
        PartId::Order,
        Lang::Zh,
        "92923709e48a475ed1d99ac88d10b282c61cf51438521c8a9f93ebd3ab00a9f1",
    ),
    (
        PartId::Order,
        Lang::En,
        "cc6e2fc731b1abcddd542eb704eba3750093d0f40f0e716c8d667eca0004c039",
    ),
    (
        PartId::Privacy,
        Lang::Zh,
        "1bc63b8dd41dc652b0255eaf7329ffcead793398a513a42d401b4a6c9b9963e1",
    ),
    (
        PartId::Privacy,
        Lang::En,
        "1ffc132c3a27e8d38b2a9bb84676818222c3f8a29cb4b3fca664781b4f299c33",
    ),
    (
        PartId::Service,
        Lang::Zh,
        "ee45efacbcfb799d59d8671c49411926df4a7071c209c2972e0b09c4837b9ed1",
    ),
    (
        PartId::Service,
        Lang::En,
        "52ba627cfd35da7b2c2121bcef0b2f05988dfc9a0cf48d8e789ca1268b34c276",
    ),
    (
        PartId::Authorization,
        Lang::Zh,
        "530c8ea14b846eb8081801dcfb3976d9ae05c99f1607da2268917cbdc27e2d6f",
    ),
    (
        PartId::Authorization,
        Lang::En,
        "172b638d6a29cdfbf5bd2157cbe63fc5868e38df64e458bb8001fbc51a7d1d13",
    ),
];

/// The v2 hashes as published in docs/content-hashes.md (computed there by the Python of §4).
const V2_HASHES: [(PartId, Lang, &str); 8] = [
    (
        PartId::Order,
        Lang::Zh,
        "92923709e48a475ed1d99ac88d10b282c61cf51438521c8a9f93ebd3ab00a9f1",
    ),
    (
        PartId::Order,
        Lang::En,
        "cc6e2fc731b1abcddd542eb704eba3750093d0f40f0e716c8d667eca0004c039",
    ),
    (
        PartId::Privacy,
        Lang::Zh,
        "1bc63b8dd41dc652b0255eaf7329ffcead793398a513a42d401b4a6c9b9963e1",
    ),
    (
        PartId::Privacy,
        Lang::En,
        "1f8d2ac88f4e8ddf8419a3b41cc162ebe795bb63a3fb94874fc0ee31880c7ad9",
    ),
    (
        PartId::Service,
        Lang::Zh,
        "ee45efacbcfb799d59d8671c49411926df4a7071c209c2972e0b09c4837b9ed1",
    ),
    (
        PartId::Service,
        Lang::En,
        "cff2325ed17f5ae763fb92f63253f4d48e9b68ebbf4af345c2b099462de44186",
    ),
    (
        PartId::Authorization,
        Lang::Zh,
        "530c8ea14b846eb8081801dcfb3976d9ae05c99f1607da2268917cbdc27e2d6f",
    ),
    (
        PartId::Authorization,
        Lang::En,
        "172b638d6a29cdfbf5bd2157cbe63fc5868e38df64e458bb8001fbc51a7d1d13",
    ),
];

/// The v1 files, still in the repository byte for byte (never embedded in the app).
fn v1_source(part: PartId, lang: Lang) -> &'static str {
    macro_rules! file {
        ($name:literal) => {
            include_str!(concat!("../content/cmgd-cancellation/v1/", $name))
        };
    }
    match (part, lang) {
        (PartId::Order, Lang::Zh) => file!("order.zh.txt"),
        (PartId::Order, Lang::En) => file!("order.en.txt"),
        (PartId::Privacy, Lang::Zh) => file!("privacy.zh.txt"),
        (PartId::Privacy, Lang::En) => file!("privacy.en.txt"),
        (PartId::Service, Lang::Zh) => file!("service.zh.txt"),
        (PartId::Service, Lang::En) => file!("service.en.txt"),
        (PartId::Authorization, Lang::Zh) => file!("authorization.zh.txt"),
        (PartId::Authorization, Lang::En) => file!("authorization.en.txt"),
    }
}

fn owned(hashes: &[(PartId, Lang, &str)]) -> Vec<(PartId, Lang, String)> {
    hashes
        .iter()
        .map(|&(p, l, h)| (p, l, h.to_string()))
        .collect()
}

#[test]
fn hash_v1_files_still_hash_to_the_published_v1_hashes_and_the_constants() {
    let recomputed: Vec<(PartId, Lang, String)> = PartId::ALL
        .into_iter()
        .flat_map(|part| Lang::ALL.into_iter().map(move |lang| (part, lang)))
        .map(|(part, lang)| {
            let blocks = parse(v1_source(part, lang)).unwrap();
            (part, lang, canonical_hash(&blocks))
        })
        .collect();
    assert_eq!(recomputed, owned(&V1_HASHES));
    // The receiver knows v1 by these constants alone.
    assert_eq!(owned(&V1.content_hashes), owned(&V1_HASHES));
    assert_eq!(V1.version, "v1");
    for (part, lang, hash) in V1_HASHES {
        assert_eq!(version_content_hash("v1", part, lang), Some(hash));
    }
}

#[test]
fn versions_v1_and_v2_are_accepted_others_are_not() {
    assert_eq!(ACCEPTED_VERSIONS, ["v1", "v2"]);
    assert_eq!(ACCEPTED_VERSIONS.last(), Some(&AGREEMENT_VERSION));
    let earlier: Vec<&str> = EARLIER_VERSIONS.iter().map(|v| v.version).collect();
    assert_eq!(earlier, ACCEPTED_VERSIONS[..ACCEPTED_VERSIONS.len() - 1]);
    for v in ["v1", "v2"] {
        assert!(is_accepted_version(v), "{v}");
    }
    for v in ["v0", "v3", "", "V2", "v2 ", "v01"] {
        assert!(!is_accepted_version(v), "{v:?}");
        assert_eq!(version_content_hash(v, PartId::Order, Lang::Zh), None);
    }
    for (part, lang, hash) in V2_HASHES {
        assert_eq!(version_content_hash("v2", part, lang), Some(hash));
    }
    // The English of parts B and C changed; A and D and every Chinese text did not.
    for (part, lang, _) in V2_HASHES {
        let same = version_content_hash("v1", part, lang) == version_content_hash("v2", part, lang);
        let changed = lang == Lang::En && matches!(part, PartId::Privacy | PartId::Service);
        assert_eq!(same, !changed, "{part:?} {lang:?}");
    }
}

#[test]
fn v2_chinese_files_are_v1_byte_for_byte() {
    for part in PartId::ALL {
        assert_eq!(
            source(part, Lang::Zh),
            v1_source(part, Lang::Zh),
            "{part:?}"
        );
    }
}

/// The English blocks v2 corrects (translation review M1, M2, m1–m12): id, a phrase v1 had that
/// v2 has not, and the phrase v2 has instead.
const V2_CORRECTIONS: [(PartId, &str, &str, &str); 14] = [
    (PartId::Privacy, "s1.2.i4.4", "such as", "rights and interests in the life or property of"),
    (
        PartId::Privacy,
        "s3.2",
        "an extension of the retention period is required or permitted by law",
        "unless the retention period needs to be extended or a longer retention is permitted by law",
    ),
    (
        PartId::Privacy,
        "s1.1.i1",
        "is continuously authorised",
        "you continuously authorise us to use",
    ),
    (PartId::Privacy, "s1.2.i2", "data subject", "the information subject"),
    (PartId::Service, "intro", "information services", "informatisation services"),
    (
        PartId::Service,
        "a1.p1",
        "business services and other services",
        "shall pay Party B",
    ),
    (
        PartId::Service,
        "a2.8",
        "activation, testing and commissioning",
        "activation testing and commissioning",
    ),
    (PartId::Service, "a2.12", "laws", "the State's regulations and provisions"),
    (PartId::Service, "a7.4", "laws", "policies and regulations prevail"),
    (
        PartId::Service,
        "a7.10",
        "The term of this Agreement takes effect",
        "The validity period of this Agreement begins",
    ),
    (
        PartId::Service,
        "a8.2.5",
        "violent or terrorist",
        "violent and terrorist audio and video",
    ),
    (
        PartId::Service,
        "a8.5",
        "and will pursue",
        "and at the same time to pursue",
    ),
    (PartId::Service, "a8.10", "formal launch", "upon formal activation of the services"),
    (PartId::Service, "a8.12.n1", "at least 3", "a random mix of 3 of the 4 classes"),
];

#[test]
fn v2_english_corrects_the_reviewed_blocks_and_nothing_else() {
    for (part, id, old, new) in V2_CORRECTIONS {
        let v1 = parse(v1_source(part, Lang::En)).unwrap();
        let v1_text = v1.iter().find(|b| b.id == id).unwrap().text();
        let v2_text = agreement().part(part).block(Lang::En, id).unwrap().text();
        assert!(v1_text.contains(old), "v1 {id}: {v1_text}");
        assert!(
            !v2_text.contains(old),
            "v2 {id} still has {old:?}: {v2_text}"
        );
        assert!(v2_text.contains(new), "v2 {id}: {v2_text}");
    }
    // Every other block is as in v1, header and text.
    for part in PartId::ALL {
        let v1 = parse(v1_source(part, Lang::En)).unwrap();
        let v2 = agreement().part(part).blocks(Lang::En);
        assert_eq!(v1.len(), v2.len());
        for (a, b) in v1.iter().zip(v2) {
            assert_eq!(a.header(), b.header());
            let corrected = V2_CORRECTIONS
                .iter()
                .any(|(p, id, _, _)| *p == part && *id == a.id);
            assert_eq!(a.text() == b.text(), !corrected, "{part:?} {}", a.id);
        }
    }
}

#[test]
fn hash_v2_content_hashes_are_the_published_ones() {
    let hashes = content_hashes();
    assert_eq!(hashes, owned(&V2_HASHES));
    // The constants the payload is checked against are what the embedded files hash to.
    assert_eq!(hashes, owned(&CURRENT_CONTENT_HASHES));
    for (part, lang, hash) in &hashes {
        assert_eq!(&content_hash(*part, *lang), hash);
        assert_eq!(hash.len(), 64);
        assert!(hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
}

#[test]
fn hash_changes_when_one_character_of_a_block_changes() {
    let blocks = parse(SAMPLE).unwrap();
    let mut changed = blocks.clone();
    changed[1].lines[0] = changed[1].lines[0].replace("手机", "手札");
    assert_ne!(canonical_hash(&changed), SAMPLE_HASH);

    // In the embedded agreement: one character in one block of each part changes its hash.
    for part in &agreement().parts {
        for lang in Lang::ALL {
            let blocks = part.blocks(lang);
            let mut edited = blocks.to_vec();
            let last = edited.len() - 1;
            edited[last].lines[0].push('.');
            assert_ne!(canonical_hash(&edited), canonical_hash(blocks));
            assert_eq!(canonical_hash(blocks), content_hash(part.id, lang));
        }
    }

    // The header counts too: a modifier, a kind or an id.
    let mut m = blocks.clone();
    m[1].table_row = TableRow::Start;
    assert_ne!(canonical_hash(&m), SAMPLE_HASH);
    let mut k = blocks.clone();
    k[2].kind = Kind::Note;
    assert_ne!(canonical_hash(&k), SAMPLE_HASH);
    let mut i = blocks.clone();
    i[2].id = "sign.party_a".into();
    assert_ne!(canonical_hash(&i), SAMPLE_HASH);
}

#[test]
fn hash_ignores_what_is_not_shown_comments_blank_lines_and_source_line_breaks() {
    let rewrapped = "@admin.name field|\n姓名：{admin.name}\n\n\n@admin.mobile field|+\n手机\n号码：{admin.mobile}\n\n@sign.party_a_rep field\n甲方代表签名：{signing.representative}\n";
    assert_eq!(canonical_hash(&parse(rewrapped).unwrap()), SAMPLE_HASH);
}

#[test]
fn hash_zh_and_en_differ_and_all_eight_are_distinct() {
    for part in PartId::ALL {
        assert_ne!(content_hash(part, Lang::Zh), content_hash(part, Lang::En));
    }
    let mut all: Vec<String> = content_hashes().into_iter().map(|(_, _, h)| h).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 8);
}

#[test]
fn hash_canonical_text_escapes_backslash_tab_and_line_breaks() {
    let block = Block {
        id: "x".into(),
        kind: Kind::Para,
        joins: Join::Space,
        table_row: TableRow::None,
        lines: vec!["a\\b\tc".into(), "d\ne\rf".into()],
    };
    assert_eq!(canonical_line(&block), "x\tpara+\ta\\\\b\\tcd\\ne\\rf\n");
}

// ---------------------------------------------------------------- parser errors

fn parse_err(src: &str) -> ParseError {
    match parse(src) {
        Ok(blocks) => panic!("accepted {src:?} as {blocks:?}"),
        Err(e) => e,
    }
}

fn at(line: usize, kind: ParseErrorKind) -> ParseError {
    ParseError { line, kind }
}

#[test]
fn parser_error_block_without_header() {
    assert_eq!(
        parse_err("# c\ntext\n"),
        at(2, ParseErrorKind::MissingHeader)
    );
    assert_eq!(
        parse_err("@a para\nx\n\ny\n"),
        at(4, ParseErrorKind::MissingHeader)
    );
}

#[test]
fn parser_error_unknown_kind() {
    assert_eq!(
        parse_err("@a para\nx\n\n@b paragraph\ny\n"),
        at(4, ParseErrorKind::UnknownKind("paragraph".into()))
    );
    assert_eq!(parse_err("@a\nx\n"), at(1, ParseErrorKind::MalformedHeader));
    assert_eq!(
        parse_err("@a.b. para\nx\n"),
        at(1, ParseErrorKind::BadId("a.b.".into()))
    );
    assert_eq!(
        parse_err("@a para*\nx\n"),
        at(1, ParseErrorKind::BadModifiers("*".into()))
    );
    assert_eq!(
        parse_err("@a field|\nx\n\n@b field|~\ny\n"),
        at(4, ParseErrorKind::BadModifiers("|~".into()))
    );
}

#[test]
fn parser_error_empty_block() {
    assert_eq!(
        parse_err("@a para\nx\n\n@b para\n\n@c para\nz\n"),
        at(4, ParseErrorKind::EmptyBlock)
    );
    assert_eq!(
        parse_err("@a para\n@b para\nx\n"),
        at(1, ParseErrorKind::EmptyBlock)
    );
    assert_eq!(
        parse_err("@a para\nx\n\n@b para\n"),
        at(4, ParseErrorKind::EmptyBlock)
    );
}

#[test]
fn parser_error_duplicate_id() {
    assert_eq!(
        parse_err("@a para\nx\n\n@b para\ny\n\n@a item\nz\n"),
        at(
            7,
            ParseErrorKind::DuplicateId {
                id: "a".into(),
                first_line: 1
            }
        )
    );
}

#[test]
fn parser_error_encoding_and_line_rules() {
    assert_eq!(
        parse_err("\u{FEFF}@a para\nx\n"),
        at(1, ParseErrorKind::ByteOrderMark)
    );
    assert_eq!(
        parse_err("@a para\r\nx\r\n"),
        at(1, ParseErrorKind::CarriageReturn)
    );
    assert_eq!(
        parse_err("@a para\nx"),
        at(2, ParseErrorKind::MissingFinalNewline)
    );
    assert_eq!(parse_err(""), at(1, ParseErrorKind::NoBlocks));
    assert_eq!(parse_err("# only\n\n"), at(2, ParseErrorKind::NoBlocks));
    assert_eq!(
        parse_err("@a para\nx\n# late\n"),
        at(3, ParseErrorKind::CommentAfterHeader)
    );
    assert_eq!(
        parse_err("@a para\n x\n"),
        at(2, ParseErrorKind::SurroundingWhitespace)
    );
    assert_eq!(
        parse_err("@a para\nx\t\n"),
        at(2, ParseErrorKind::SurroundingWhitespace)
    );
    assert_eq!(
        parse_err("@a para\nx⏎y\n"),
        at(2, ParseErrorKind::MisplacedBreak)
    );
    assert_eq!(
        parse_err("@a para\nx\ny⏎\n\n@b para\nz\n"),
        at(3, ParseErrorKind::MisplacedBreak)
    );
    for bad in ["{x", "x}", "{}", "{A}", "{a.}", "{a{b}}", "}{a}"] {
        assert_eq!(
            parse_err(&format!("@a para\n{bad}\n")),
            at(2, ParseErrorKind::BadPlaceholder),
            "{bad}"
        );
    }
}

#[test]
fn parser_error_modifier_rules() {
    assert_eq!(
        parse_err("@notice note\nn\n\n@a para+\nx\n"),
        at(4, ParseErrorKind::JoinWithoutPrevious)
    );
    assert_eq!(
        parse_err("@a para|\nx\n"),
        at(1, ParseErrorKind::TableOnNonField)
    );
    assert_eq!(
        parse_err("@a field\nx\n\n@b field|+\ny\n"),
        at(4, ParseErrorKind::TableCellWithoutRow)
    );
}

#[test]
fn parser_accepts_the_format_and_records_modifiers() {
    let src = "# comment\n\n@notice note\nn\n\n@t title\nT\n\n@a field|\nA：{orders.N.reason}\n\n@b field|+\nB：\n\n@c para+\nc1\nc2⏎\nc3\n\n@d item~\nd {contract_no} e\n";
    let blocks = parse(src).unwrap();
    let shape: Vec<(&str, &str, usize)> = blocks
        .iter()
        .map(|b| (b.id.as_str(), b.modifiers(), b.lines.len()))
        .collect();
    assert_eq!(
        shape,
        [
            ("notice", "", 1),
            ("t", "", 1),
            ("a", "|", 1),
            ("b", "|+", 1),
            ("c", "+", 3),
            ("d", "~", 1)
        ]
    );
    assert_eq!(blocks[4].text(), "c1c2c3");
    assert_eq!(blocks[4].seed_text(), "c1\nc2\n\nc3");
    assert_eq!(blocks[5].placeholders(), ["contract_no"]);
    assert_eq!(blocks[5].joins, Join::NoSeparator);
    assert_eq!(blocks[2].placeholders(), ["orders.N.reason"]);
    assert_eq!(
        ParseError {
            line: 4,
            kind: ParseErrorKind::EmptyBlock
        }
        .to_string(),
        "line 4: block without text"
    );
}

/// Lines that look like the format, to reach the parser's deeper paths.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("# c".to_string()),
        Just("@notice note".to_string()),
        "@[a-z0-9_.]{0,6} (title|heading|para|item|field|note|x)[|+~ ]{0,3}",
        "[a-z{}.N0-9⏎ \t@#：]{0,12}",
        "\\PC{0,8}",
        any::<String>(),
    ]
}

proptest! {
    #[test]
    fn parser_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_format_like_text(lines in prop::collection::vec(line(), 0..16), lf in any::<bool>()) {
        let mut s = lines.join("\n");
        if lf {
            s.push('\n');
        }
        match parse(&s) {
            Ok(blocks) => {
                // Whatever parses has non-empty blocks with unique ids and a stable hash.
                prop_assert!(!blocks.is_empty());
                prop_assert!(blocks.iter().all(|b| !b.lines.is_empty()));
                let mut ids: Vec<&str> = blocks.iter().map(|b| b.id.as_str()).collect();
                ids.sort_unstable();
                let n = ids.len();
                ids.dedup();
                prop_assert_eq!(ids.len(), n);
                prop_assert_eq!(canonical_hash(&blocks).len(), 64);
            }
            Err(e) => prop_assert!(e.line >= 1),
        }
    }
}
