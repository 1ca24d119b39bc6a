//! Code the first load does without: the form, the signing step (consents, signature,
//! sign-and-send, the receipt), the outbox panel and the embedding (ARCHITECTURE.md, "What the
//! first load carries"). In the release build (`--features split`, see
//! docs/decisions.md "Build") each `deferred!` function is compiled into a wasm chunk of its
//! own, fetched the first time it is called; in every other build (tests, `trunk serve`) it is
//! an ordinary async function. Either way it returns `Err(LoadError)` rather than aborting when
//! its chunk cannot be fetched, so the caller can show that and offer a retry.

/// Why a deferred part could not be loaded (its chunk's fetch or instantiation failed).
pub use leptos::wasm_split::SplitLoaderError as LoadError;

/// `deferred!(chunk; fn name(args) -> T { body })` declares
/// `async fn name(args) -> Result<T, LoadError>`; functions naming the same chunk share it. The
/// body runs untracked, as a component's does: it is awaited inside `<Suspense>`, which would
/// otherwise re-run it whenever a signal it read changed.
///
/// `deferred!(chunk, preload preload_name; fn …)` also declares
/// `async fn preload_name() -> Result<(), LoadError>`, which fetches and compiles the chunk
/// without running anything in it (the idle prefetch of the journey's parts,
/// components/app.rs).
macro_rules! deferred {
    ($chunk:ident; $($item:tt)*) => {
        $crate::deferred::deferred!(@part ($chunk, wasm_split_path = ::leptos::wasm_split, fallible) $($item)*);
    };
    ($chunk:ident, preload $preload:ident; $(#[$meta:meta])* $vis:vis fn $($item:tt)*) => {
        $crate::deferred::deferred!(
            @part ($chunk, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))
            $(#[$meta])* $vis fn $($item)*
        );

        /// Nothing to fetch: in this build the part is in the main module.
        #[cfg(not(feature = "split"))]
        $vis async fn $preload() -> ::core::result::Result<(), $crate::deferred::LoadError> {
            ::core::result::Result::Ok(())
        }
    };
    (@part ($($split:tt)*) $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split($($split)*)]
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::deferred::LoadError> {
            ::core::result::Result::Ok(::leptos::prelude::untrack(move || $body))
        }

        #[cfg(not(feature = "split"))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::deferred::LoadError> {
            ::core::result::Result::Ok(::leptos::prelude::untrack(move || $body))
        }
    };
}
pub(crate) use deferred;
