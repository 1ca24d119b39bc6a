//! Properties of the identifier parsers (domain spec §3.1–3.4):
//!
//! - generated valid resident IDs (GB 11643) and USCCs (GB 32100) always parse;
//! - every single-character substitution and every adjacent transposition of a valid resident
//!   ID or USCC is refused. GB 11643's MOD 11-2 check (weights 2^k mod 11, all distinct from
//!   their neighbours, 11 prime) and GB 32100's MOD 31 check (weights 3^k mod 31, 31 prime)
//!   detect all of these by construction, so a single accepted mutant is a bug. The exhaustive
//!   test counts the mutants it tried and asserts the counts;
//! - no parser panics on arbitrary Unicode input up to 1 KB.

use proptest::prelude::*;
use qianyue_domain::date::Date;
use qianyue_domain::email::Email;
use qianyue_domain::numbers::{ContractNo, GroupCode, PartyBSignature, ProductNumber, SubOrderNo};
use qianyue_domain::other_id::{parse_id_number, IdType};
use qianyue_domain::phone::{CompanyPhone, Mobile};
use qianyue_domain::resident_id::{self, ResidentId, PROVINCE_CODES};
use qianyue_domain::uscc::{self, Uscc, ALPHABET, CATEGORIES};

fn today() -> Date {
    Date::new(2023, 4, 10).unwrap()
}

/// First two digits a resident ID card number may start with: the mainland GB/T 2260 codes
/// (a residence permit's exact prefixes are tested in `resident_id`'s own tests).
fn id_provinces() -> Vec<u8> {
    resident_id::MAINLAND_PROVINCE_CODES.to_vec()
}

/// Days of the birth window: from 120 years before today to today, both included.
fn birth_window() -> (i64, i64) {
    let t = today();
    (t.add_months(-1440).unwrap().to_days(), t.to_days())
}

/// A valid resident ID from its free parts.
fn resident_id_from(province: u8, area: u16, birth: Date, sequence: u16) -> String {
    let first17 = format!(
        "{province:02}{area:04}{:04}{:02}{:02}{sequence:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let check = resident_id::check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// A valid USCC from its free parts; `body` is 8 characters of the USCC alphabet.
fn uscc_from(category: usize, division: &str, body: &str) -> String {
    let (a, c, ..) = CATEGORIES[category];
    let org = uscc::org_code_check_char(body).unwrap();
    let first17 = format!("{a}{c}{division}{body}{org}");
    let check = uscc::check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// SplitMix64: a small deterministic generator for the exhaustive test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_resident_id(rng: &mut Rng) -> String {
    let provinces = id_provinces();
    let (from, to) = birth_window();
    let province = provinces[rng.below(provinces.len() as u64) as usize];
    let birth = Date::from_days(from + rng.below((to - from + 1) as u64) as i64).unwrap();
    resident_id_from(
        province,
        rng.below(10_000) as u16,
        birth,
        rng.below(1000) as u16,
    )
}

fn random_uscc(rng: &mut Rng) -> String {
    let category = rng.below(CATEGORIES.len() as u64) as usize;
    let division = if rng.below(20) == 0 {
        "100000".to_owned()
    } else {
        let p = PROVINCE_CODES[rng.below(PROVINCE_CODES.len() as u64) as usize];
        format!("{p:02}{:04}", rng.below(10_000))
    };
    let body: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.below(31) as usize]))
        .collect();
    uscc_from(category, &division, &body)
}

/// Every single-character substitution (each position × each other character of `alphabet`)
/// and every adjacent transposition of differing characters of `valid`.
fn mutants(valid: &str, alphabet: &[u8]) -> (Vec<String>, Vec<String>) {
    let b = valid.as_bytes();
    let mut substitutions = Vec::new();
    for i in 0..b.len() {
        for &c in alphabet.iter().filter(|&&c| c != b[i]) {
            let mut m = b.to_vec();
            m[i] = c;
            substitutions.push(String::from_utf8(m).unwrap());
        }
    }
    let mut transpositions = Vec::new();
    for i in 0..b.len() - 1 {
        if b[i] != b[i + 1] {
            let mut m = b.to_vec();
            m.swap(i, i + 1);
            transpositions.push(String::from_utf8(m).unwrap());
        }
    }
    (substitutions, transpositions)
}

/// Resident-ID characters: digits and `X` (lower-case `x` is the same character once normalised,
/// so it is not a mutant).
const ID_ALPHABET: &[u8] = b"0123456789X";

const SAMPLES: usize = 300;

#[test]
fn exhaustive_mutants_of_resident_ids_are_refused() {
    let mut rng = Rng(0x5149_414E_5955_4531);
    let mut ids = vec![
        "440307198505201246".to_owned(),
        "440305199608185316".to_owned(),
    ];
    ids.extend((0..SAMPLES).map(|_| random_resident_id(&mut rng)));
    let (mut substitutions, mut transpositions) = (0usize, 0usize);
    for id in &ids {
        assert!(ResidentId::parse(id, today()).is_ok(), "{id} must parse");
        let (subs, trans) = mutants(id, ID_ALPHABET);
        for m in &subs {
            assert!(
                ResidentId::parse(m, today()).is_err(),
                "substitution {m} of {id} accepted"
            );
        }
        for m in &trans {
            assert!(
                ResidentId::parse(m, today()).is_err(),
                "transposition {m} of {id} accepted"
            );
        }
        substitutions += subs.len();
        transpositions += trans.len();
    }
    println!(
        "resident IDs: {} valid, {substitutions} substitutions and {transpositions} transpositions refused",
        ids.len()
    );
    assert_eq!(substitutions, ids.len() * 18 * 10);
    assert_eq!(substitutions, 54_360);
    assert_eq!(transpositions, 4_602);
}

#[test]
fn exhaustive_mutants_of_usccs_are_refused() {
    let mut rng = Rng(0x5553_4343_2023_0410);
    let mut codes = vec!["91440300758613572G".to_owned()];
    codes.extend((0..SAMPLES).map(|_| random_uscc(&mut rng)));
    let (mut substitutions, mut transpositions) = (0usize, 0usize);
    for code in &codes {
        assert!(Uscc::parse(code).is_ok(), "{code} must parse");
        let (subs, trans) = mutants(code, ALPHABET);
        for m in &subs {
            assert!(
                Uscc::parse(m).is_err(),
                "substitution {m} of {code} accepted"
            );
        }
        for m in &trans {
            assert!(
                Uscc::parse(m).is_err(),
                "transposition {m} of {code} accepted"
            );
        }
        substitutions += subs.len();
        transpositions += trans.len();
    }
    println!(
        "USCCs: {} valid, {substitutions} substitutions and {transpositions} transpositions refused",
        codes.len()
    );
    assert_eq!(substitutions, codes.len() * 18 * 30);
    assert_eq!(substitutions, 162_540);
    assert_eq!(transpositions, 4_752);
}

/// The check characters alone catch every mutant: a substitution or transposition that keeps
/// every other rule (province, date, authority table, GB 11714) is still refused, by the
/// check character. Counted separately so the claim in the module documentation is tested,
/// not just implied by earlier checks.
#[test]
fn check_characters_alone_catch_every_mutant() {
    let mut rng = Rng(7);
    let mut checked = 0usize;
    for _ in 0..SAMPLES {
        let id = random_resident_id(&mut rng);
        let (subs, trans) = mutants(&id, ID_ALPHABET);
        for m in subs.iter().chain(&trans) {
            let b = m.as_bytes();
            if b[..17].iter().all(u8::is_ascii_digit) {
                assert_ne!(
                    resident_id::check_char(&m[..17]).map(|c| c as u8),
                    Some(b[17]),
                    "{m}"
                );
                checked += 1;
            }
        }
        let code = random_uscc(&mut rng);
        let (subs, trans) = mutants(&code, ALPHABET);
        for m in subs.iter().chain(&trans) {
            assert_ne!(
                uscc::check_char(&m[..17]).map(|c| c as u8),
                Some(m.as_bytes()[17]),
                "{m}"
            );
            checked += 1;
        }
    }
    println!("{checked} mutants refused by the check character alone");
    assert!(checked > SAMPLES * (18 * 10 - 17 + 18 * 30));
}

fn arb_resident_id() -> impl Strategy<Value = String> {
    let (from, to) = birth_window();
    (
        proptest::sample::select(id_provinces()),
        0u16..10_000,
        from..=to,
        0u16..1000,
    )
        .prop_map(|(p, area, day, seq)| {
            resident_id_from(p, area, Date::from_days(day).unwrap(), seq)
        })
}

fn arb_uscc() -> impl Strategy<Value = String> {
    let division = prop_oneof![
        1 => Just("100000".to_owned()),
        19 => (proptest::sample::select(PROVINCE_CODES.to_vec()), 0u32..10_000)
            .prop_map(|(p, rest)| format!("{p:02}{rest:04}")),
    ];
    let body = proptest::collection::vec(proptest::sample::select(ALPHABET.to_vec()), 8)
        .prop_map(|v| String::from_utf8(v).unwrap());
    (0..CATEGORIES.len(), division, body).prop_map(|(c, d, b)| uscc_from(c, &d, &b))
}

/// Characters people actually produce, plus the hostile ones.
fn arb_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        proptest::char::range('0', '9'),
        proptest::char::range('A', 'Z'),
        proptest::char::range('\u{FF01}', '\u{FF5E}'),
        proptest::char::range('\u{4E00}', '\u{9FFF}'),
        proptest::sample::select(vec![
            'x',
            'X',
            '@',
            '.',
            '-',
            '+',
            ' ',
            '(',
            ')',
            '#',
            '转',
            '分',
            '机',
            '。',
            '\u{3000}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{2014}',
            '\u{0301}',
            '\u{10FFFF}',
            '\u{1F600}',
        ]),
    ]
}

/// Arbitrary Unicode strings of at most 1 KB (1024 bytes of UTF-8).
fn arb_text() -> impl Strategy<Value = String> {
    let chars =
        proptest::collection::vec(arb_char(), 0..=1024).prop_map(|v| v.into_iter().collect());
    prop_oneof![any::<String>(), chars].prop_map(|s: String| {
        let mut end = s.len().min(1024);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_owned()
    })
}

/// Runs every parser of the identifiers on `s` (a panic fails the property).
fn parse_everything(s: &str) {
    let today = today();
    let _ = ResidentId::parse(s, today);
    for kind in IdType::ALL {
        let _ = parse_id_number(kind, s, today);
    }
    let _ = IdType::from_label(s);
    let _ = Uscc::parse(s);
    let _ = Mobile::parse(s);
    let _ = CompanyPhone::parse(s).map(|p| {
        (
            p.canonical(),
            p.display(qianyue_domain::error::Locale::ZhCn),
        )
    });
    let _ = Email::parse(s).map(|e| (e.local_part().len(), e.domain().len()));
    let _ = GroupCode::parse(s);
    let _ = ProductNumber::parse(s);
    let _ = SubOrderNo::parse(s);
    let _ = ContractNo::parse(s).map(|c| (c.date(), c.hour()));
    let _ = PartyBSignature::parse(s).map(|p| (p.date(), p.time()));
    let _ = uscc::check_char(s);
    let _ = uscc::org_code_check_char(s);
    let _ = resident_id::check_char(s);
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Failing cases are kept beside this file (`identifier_properties.regressions`).
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_resident_ids_parse(id in arb_resident_id()) {
        let parsed = ResidentId::parse(&id, today()).unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
        let birth = format!(
            "{:04}{:02}{:02}",
            parsed.birth_date().year(),
            parsed.birth_date().month(),
            parsed.birth_date().day()
        );
        prop_assert_eq!(&id[6..14], birth.as_str());
        prop_assert_eq!(parsed.masked(), format!("{}**********{}", &id[..4], &id[14..]));
        // Written in full-width digits, spaced, with a lower-case x: the same number.
        let fullwidth: String = id
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let c = if c == 'X' { 'x' } else { char::from_u32(c as u32 + 0xFEE0).unwrap() };
                if i % 4 == 3 { vec![c, '\u{3000}'] } else { vec![c] }
            })
            .collect();
        prop_assert_eq!(ResidentId::parse(&fullwidth, today()).unwrap(), parsed);
    }

    #[test]
    fn generated_usccs_parse(code in arb_uscc()) {
        let parsed = Uscc::parse(&code).unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
        prop_assert_eq!(parsed.category(), &code[..2]);
        prop_assert_eq!(parsed.division_code(), &code[2..8]);
        prop_assert_eq!(parsed.organisation_code(), &code[8..17]);
        prop_assert_eq!(Uscc::parse(&code.to_ascii_lowercase()).unwrap(), parsed);
    }

    #[test]
    fn a_random_substitution_of_a_resident_id_is_refused(
        id in arb_resident_id(),
        pos in 0usize..18,
        c in proptest::sample::select(ID_ALPHABET.to_vec()),
    ) {
        prop_assume!(id.as_bytes()[pos] != c);
        let mut m = id.into_bytes();
        m[pos] = c;
        let m = String::from_utf8(m).unwrap();
        prop_assert!(ResidentId::parse(&m, today()).is_err(), "{} accepted", m);
    }

    #[test]
    fn a_random_substitution_of_a_uscc_is_refused(
        code in arb_uscc(),
        pos in 0usize..18,
        c in proptest::sample::select(ALPHABET.to_vec()),
    ) {
        prop_assume!(code.as_bytes()[pos] != c);
        let mut m = code.into_bytes();
        m[pos] = c;
        let m = String::from_utf8(m).unwrap();
        prop_assert!(Uscc::parse(&m).is_err(), "{} accepted", m);
    }

    #[test]
    fn no_parser_panics_on_arbitrary_text(s in arb_text()) {
        prop_assert!(s.len() <= 1024);
        parse_everything(&s);
    }

    #[test]
    fn no_parser_panics_on_valid_values_with_noise(
        id in arb_resident_id(),
        code in arb_uscc(),
        at in 0usize..40,
        noise in proptest::collection::vec(arb_char(), 1..4),
    ) {
        let noise: String = noise.into_iter().collect();
        for base in [id.as_str(), code.as_str(), "13800138000", "0755-88888888-123", "a@139.com"] {
            let at = at.min(base.len());
            parse_everything(&format!("{}{noise}{}", &base[..at], &base[at..]));
        }
    }
}

// A JSON float held as an integer field's text: exactly as `{:?}` writes it.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]
    #[test]
    fn float_text_is_debug(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        prop_assert_eq!(qianyue_domain::form::float_debug_text(v), format!("{v:?}"));
    }

    // Binary fractions of moderate size, where two shortest candidates can be equally near.
    #[test]
    fn float_text_is_debug_halfway(a in 0u64..(1 << 53), j in -12i32..12) {
        let v = a as f64 * 2f64.powi(j);
        prop_assert_eq!(qianyue_domain::form::float_debug_text(v), format!("{v:?}"));
        prop_assert_eq!(qianyue_domain::form::float_debug_text(-v), format!("{:?}", -v));
    }
}

#[test]
fn float_text_is_debug_at_the_edges() {
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        10.0,
        10.5,
        0.1,
        0.3,
        1e-4,
        9.999e-5,
        1e-5,
        1.5e-7,
        1e16,
        9.999e15,
        1e15,
        1.5e16,
        1e21,
        1e22,
        1e23,
        123456789012345680.0,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2f64.powi(53),
        2f64.powi(53) + 2.0,
        0.000123,
        1234.5678,
        1e300,
        1e-300,
    ];
    for e in -330..=310 {
        values.push(10f64.powi(e));
        values.push(-(10f64.powi(e)) * 1.25);
        values.push(10f64.powi(e) * 9.999_999_999_999_999);
    }
    for v in values {
        assert_eq!(
            qianyue_domain::form::float_debug_text(v),
            format!("{v:?}"),
            "{v:?}"
        );
    }
}
