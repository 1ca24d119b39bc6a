//! The files attached to an evidence PDF (contract.md §7): the signed envelope `consent.json`
//! and, when there, the signed receipt `receipt.json`.
//!
//! An evidence PDF attaches them PDF/A-3 style, as associated files: each is a file
//! specification (`/Type /Filespec`, `/F` and `/UF` its name, `/EF` holding the embedded file
//! stream, usually `/FlateDecode`) listed both in the catalog's `/AF` array and in the
//! `/Names /EmbeddedFiles` name tree (ISO 32000-1 §7.9.6, §7.11.4). Either route is read here:
//! a file specification reached from the name tree (leaves `/Names [key spec …]`, inner nodes
//! `/Kids`), from the catalog's `/AF` or from a page's `/AF`. The file's name is the
//! specification's `/UF`, else `/F`, else its key in the name tree; its bytes are the `/EF`
//! stream's (`/UF`, else `/F`) with its filters undone. The PDF itself is parsed by `lopdf`
//! (docs/decisions.md "qianyue-check verify").

use std::collections::BTreeSet;

use lopdf::{decode_text_string, Dictionary, Document, LoadOptions, Object, ObjectId};

/// The largest attachment read, decompressed (a decompression bomb stops here): 16 MiB, the
/// receiver's largest accepted consent (`QIANYUE_MAX_BODY_BYTES` at most 16777216).
pub const MAX_ATTACHMENT_BYTES: usize = 16 * 1024 * 1024;

/// How deep a name tree is followed (a loop of `/Kids` stops here too).
const MAX_TREE_DEPTH: usize = 32;

/// The name of the attached signed envelope.
pub const CONSENT_JSON: &str = "consent.json";
/// The name of the attached signed receipt.
pub const RECEIPT_JSON: &str = "receipt.json";

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The evidence an evidence PDF carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// `consent.json`, the signed envelope.
    pub consent: Vec<u8>,
    /// `receipt.json`, the signed receipt, when attached.
    pub receipt: Option<Vec<u8>>,
    /// The names of every file attached, in the order found (each once).
    pub names: Vec<String>,
}

/// Whether `bytes` are a PDF: they start with `%PDF-` (ISO 32000-1 §7.5.2).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// `consent.json` and `receipt.json` of an evidence PDF. An error (in English, for standard
/// error) when the PDF cannot be read, has no `consent.json`, or has two different files of
/// one of those names. Only those two are decompressed.
pub fn evidence(pdf: &[u8]) -> Result<Evidence, String> {
    let (names, files) = attachments(pdf, &|name| name == CONSENT_JSON || name == RECEIPT_JSON)?;
    let one = |name: &str| -> Result<Option<Vec<u8>>, String> {
        let mut found = files.iter().filter(|f| f.name == name).map(|f| &f.bytes);
        let first = found.next().cloned();
        if found.any(|other| Some(other) != first.as_ref()) {
            return Err(format!("the PDF attaches two different files named {name}"));
        }
        Ok(first)
    };
    let consent = one(CONSENT_JSON)?.ok_or_else(|| {
        if names.is_empty() {
            format!("the PDF attaches no file, so no {CONSENT_JSON}")
        } else {
            format!(
                "the PDF attaches no {CONSENT_JSON} (it attaches {})",
                names.join(", ")
            )
        }
    })?;
    let receipt = one(RECEIPT_JSON)?;
    Ok(Evidence {
        consent,
        receipt,
        names,
    })
}

/// The files attached to the PDF through the `/EmbeddedFiles` name tree or an `/AF` array:
/// the name of each (once, in the order found, name tree first), and the bytes of those whose
/// name is `wanted` (each (name, bytes) once). A file not wanted is not decompressed.
pub fn attachments(
    pdf: &[u8],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(Vec<String>, Vec<Attachment>), String> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_ATTACHMENT_BYTES),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(pdf, options)
        .map_err(|e| format!("the PDF cannot be read: {e}"))?;
    let catalog = doc
        .catalog()
        .map_err(|e| format!("the PDF has no document catalog: {e}"))?;
    let mut specs: Vec<(Option<String>, &Dictionary)> = Vec::new();
    if let Ok(tree) = catalog
        .get_deref(b"Names", &doc)
        .and_then(Object::as_dict)
        .and_then(|names| names.get_deref(b"EmbeddedFiles", &doc))
        .and_then(Object::as_dict)
    {
        name_tree(&doc, tree, 0, &mut BTreeSet::new(), &mut specs);
    }
    associated_files(&doc, catalog, &mut specs);
    for page in doc.get_pages().into_values() {
        if let Ok(page) = doc.get_dictionary(page) {
            associated_files(&doc, page, &mut specs);
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut read: Vec<*const Dictionary> = Vec::new();
    let mut out: Vec<Attachment> = Vec::new();
    for (key, spec) in specs {
        let Some(name) = file_name(spec).or(key) else {
            continue;
        };
        if !names.contains(&name) {
            names.push(name.clone());
        }
        // One specification reached by both routes (the name tree and /AF) is read once.
        if !wanted(&name) || read.contains(&(spec as *const Dictionary)) {
            continue;
        }
        read.push(spec);
        let bytes = embedded_bytes(&doc, spec)
            .map_err(|e| format!("the attached file {name} cannot be read: {e}"))?;
        let file = Attachment { name, bytes };
        if !out.contains(&file) {
            out.push(file);
        }
    }
    Ok((names, out))
}

/// The file specifications of a name tree node and its descendants, with their keys. Each
/// indirect node is visited once (a `/Kids` loop or a node listed twice is not walked again).
fn name_tree<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    depth: usize,
    seen: &mut BTreeSet<ObjectId>,
    out: &mut Vec<(Option<String>, &'a Dictionary)>,
) {
    if depth > MAX_TREE_DEPTH {
        return;
    }
    if let Ok(kids) = node.get_deref(b"Kids", doc).and_then(Object::as_array) {
        for kid in kids {
            let Ok((id, kid)) = doc.dereference(kid) else {
                continue;
            };
            if id.is_some_and(|id| !seen.insert(id)) {
                continue;
            }
            if let Ok(kid) = kid.as_dict() {
                name_tree(doc, kid, depth + 1, seen, out);
            }
        }
    }
    if let Ok(names) = node.get_deref(b"Names", doc).and_then(Object::as_array) {
        for pair in names.chunks_exact(2) {
            let key = doc
                .dereference(&pair[0])
                .ok()
                .and_then(|(_, k)| decode_text_string(k).ok());
            if let Ok(spec) = doc.dereference(&pair[1]).and_then(|(_, o)| o.as_dict()) {
                out.push((key, spec));
            }
        }
    }
}

/// The file specifications of a dictionary's `/AF` array (the catalog's, a page's).
fn associated_files<'a>(
    doc: &'a Document,
    holder: &'a Dictionary,
    out: &mut Vec<(Option<String>, &'a Dictionary)>,
) {
    if let Ok(files) = holder.get_deref(b"AF", doc).and_then(Object::as_array) {
        for spec in files {
            if let Ok(spec) = doc.dereference(spec).and_then(|(_, o)| o.as_dict()) {
                out.push((None, spec));
            }
        }
    }
}

/// A file specification's name: `/UF` (a text string), else `/F`.
fn file_name(spec: &Dictionary) -> Option<String> {
    [b"UF".as_slice(), b"F".as_slice()]
        .into_iter()
        .filter_map(|key| spec.get(key).ok())
        .find_map(|name| decode_text_string(name).ok())
        .filter(|name| !name.is_empty())
}

/// The bytes of a file specification's embedded file stream (`/EF /UF`, else `/EF /F`),
/// decompressed.
fn embedded_bytes(doc: &Document, spec: &Dictionary) -> Result<Vec<u8>, String> {
    let ef = spec
        .get_deref(b"EF", doc)
        .and_then(Object::as_dict)
        .map_err(|_| "its file specification has no /EF".to_owned())?;
    let stream = ef
        .get_deref(b"UF", doc)
        .or_else(|_| ef.get_deref(b"F", doc))
        .and_then(Object::as_stream)
        .map_err(|_| "its /EF holds no embedded file stream".to_owned())?;
    stream
        .decompressed_content_with_limit(MAX_ATTACHMENT_BYTES)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    /// An attachment other than the evidence is neither read nor a reason to refuse: here one
    /// whose `/EF` holds no stream, listed before `consent.json`.
    #[test]
    fn an_unreadable_other_attachment_does_not_stop_the_evidence() {
        let mut doc = Document::with_version("1.7");
        let pages =
            doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let broken = doc.add_object(Object::Integer(5));
        let mut consent = Stream::new(dictionary! {}, br#"{"payload":{}}"#.repeat(20));
        consent.compress().unwrap();
        let consent = doc.add_object(consent);
        let spec = |doc: &mut Document, name: &str, file| {
            doc.add_object(dictionary! {
                "Type" => "Filespec", "UF" => lopdf::text_string(name),
                "EF" => dictionary! { "F" => file },
            })
        };
        let notes = spec(&mut doc, "notes.txt", broken);
        let envelope = spec(&mut doc, "consent.json", consent);
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages, "AF" => vec![notes.into(), envelope.into()],
        });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let found = evidence(&bytes).unwrap();
        assert_eq!(found.consent, br#"{"payload":{}}"#.repeat(20));
        assert_eq!(found.receipt, None);
        assert_eq!(found.names, ["notes.txt", "consent.json"]);
        // Asked for, the broken one is an error naming it.
        let err = attachments(&bytes, &|_| true).unwrap_err();
        assert!(err.contains("notes.txt"), "{err}");
    }

    /// A name tree whose inner nodes list themselves and each other, twice over: walked once
    /// each (without the visited set this is 2^32 calls), the one file found once.
    #[test]
    fn a_name_tree_with_loops_is_walked_once() {
        let mut doc = Document::with_version("1.7");
        let pages =
            doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let file = doc.add_object(Stream::new(dictionary! {}, b"{}".to_vec()));
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec", "F" => Object::string_literal("consent.json"),
            "EF" => dictionary! { "F" => file },
        });
        let a = doc.new_object_id();
        let b = doc.new_object_id();
        doc.objects.insert(
            a,
            Object::Dictionary(
                dictionary! { "Kids" => vec![a.into(), b.into(), a.into(), b.into()] },
            ),
        );
        doc.objects.insert(
            b,
            Object::Dictionary(dictionary! {
                "Kids" => vec![a.into(), b.into()],
                "Names" => vec![Object::string_literal("consent.json"), spec.into()],
            }),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages,
            "Names" => dictionary! { "EmbeddedFiles" => a },
        });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let (names, files) = attachments(&bytes, &|_| true).unwrap();
        assert_eq!(names, ["consent.json"]);
        assert_eq!(
            files,
            [Attachment {
                name: "consent.json".into(),
                bytes: b"{}".to_vec()
            }]
        );
    }
}
