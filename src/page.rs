//! The page's own window actions that no other side-effect module covers: printing. The
//! receipt page's "Print" button (components/receipt.rs) calls [`print`]; nothing else opens
//! the browser's print dialogue.

/// Opens the browser's print dialogue for this page (the print stylesheet decides what is
/// printed: style/signing.css, "Print"). Does nothing where the browser refuses.
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
