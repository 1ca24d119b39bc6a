//! The first screen as HTML, rendered at build time from the same components the app mounts
//! (`components::app::page` with the agreement, the form's place still waiting), so that the
//! served page paints the agreement before any wasm arrives (issue 20; docs/decisions.md "The
//! prerendered first screen"). `scripts/prerender.mjs` puts it into the built `index.html`;
//! the app takes that markup over as it starts (src/takeover.js).
//!
//! Native only: tachys renders to a string with its `ssr` feature, which the wasm does without.

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use leptos::prelude::*;

use crate::components::app::page;
use crate::components::loading::waiting;
use crate::state::{provide_app_state, AppState};

/// The element that holds the prerendered page in `index.html` (src/takeover.js looks for it).
pub const HOLDER_ID: &str = "qianyue-prerendered";

/// An executor that runs nothing: effects are what the browser runs after rendering (the page
/// root's `lang`, the fields' signals), and a page rendered to a string has no after.
struct Nothing;

impl CustomExecutor for Nothing {
    fn spawn(&self, _: PinnedFuture<()>) {}
    fn spawn_local(&self, _: PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// The page's markup in its first state (Chinese, the form empty, the contents closed), inside
/// its holder.
pub fn first_screen() -> String {
    // Already set is fine: a second call in one process renders the same.
    let _ = Executor::init_custom_executor(Nothing);
    let owner = Owner::new();
    // Rendered once, nothing tracks: the views' reads are not missed subscriptions.
    let _quiet = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
    let html = owner.with(|| {
        let state = AppState::prerendered();
        provide_app_state(state);
        page(state, RwSignal::new(false), (), waiting(NodeRef::new())).to_html()
    });
    // `<!>` separates adjacent texts for hydration; the app replaces this markup instead
    // (src/takeover.js), so the separators are bytes for nothing. (Never literal in text:
    // the renderer escapes `<`.)
    let html = html.replace("<!>", "");
    format!("<div id=\"{HOLDER_ID}\">{html}</div>")
}

/// The agreement's Chinese files, verbatim, one `<script type="text/plain">` per part, for the
/// served page to carry beside the first screen: the release wasm reads the text from there
/// instead of holding it (src/content.rs), and beside the markup of the same words it costs
/// the page about 2 KB brotli. A script element's text is taken raw by the HTML parser, so the
/// files need no escaping as long as none holds `</script` or `<!--`, which is checked here.
pub fn served_texts() -> String {
    use qianyue_domain::content::{source_zh, PartId};
    let mut out = String::new();
    for part in PartId::ALL {
        let text = source_zh(part);
        let lower = text.to_ascii_lowercase();
        assert!(
            !lower.contains("</script") && !lower.contains("<!--"),
            "{}.zh.txt cannot go raw into a script element",
            part.hook()
        );
        out.push_str(&format!(
            "<script type=\"text/plain\" data-qianyue-text=\"{}\">{text}</script>\n",
            part.hook()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qianyue_domain::content::{agreement, Lang, PartId};

    #[test]
    fn the_first_screen_holds_every_part_in_chinese_and_the_forms_place() {
        let html = first_screen();
        assert!(html.starts_with("<div id=\"qianyue-prerendered\"><main class=\"app\">"));
        for part in PartId::ALL {
            assert!(
                html.contains(&format!("data-part=\"{}\"", part.hook())),
                "{part:?}"
            );
            let title = agreement().part(part).blocks(Lang::Zh)[0].text();
            assert!(html.contains(&*title), "the title of {part:?}: {title}");
        }
        assert!(html.contains("data-deferred=\"waiting\""));
        assert!(html.contains("data-locale=\"en\""));
        // The contents start closed; the blanks are empty (no signing date at build time).
        assert!(
            html.contains("<details>") || html.contains("<details >"),
            "closed contents"
        );
        assert!(!html.contains("{customer."), "no raw placeholder");
    }

    /// What the release wasm reads back (takeover.js takes each element's text) is each file
    /// byte for byte, so it parses to the domain's blocks and has the signed content hash.
    #[test]
    fn the_served_texts_are_the_chinese_files_verbatim() {
        let html = served_texts();
        for part in PartId::ALL {
            let open = format!(
                "<script type=\"text/plain\" data-qianyue-text=\"{}\">",
                part.hook()
            );
            let start = html.find(&open).expect("one element per part") + open.len();
            let end = start + html[start..].find("</script>").expect("closed");
            let text = &html[start..end];
            assert_eq!(text, qianyue_domain::content::source_zh(part));
            let blocks = qianyue_domain::content::parse_part(part, Lang::Zh, text).unwrap();
            assert_eq!(blocks, agreement().part(part).zh);
        }
        assert_eq!(html.matches("<script").count(), PartId::ALL.len());
    }

    #[test]
    fn two_renders_are_the_same_bytes() {
        assert_eq!(first_screen(), first_screen());
    }
}
