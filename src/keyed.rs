//! One signal per key, fed from one computed whole: the form's values by field path, the
//! messages shown by path, the preview figures by key.
//!
//! Why: when a thousand memos read one signal (the form) each keystroke wakes all of them,
//! and each one, re-subscribing, is removed from and added back to that signal's subscriber
//! list, which costs time in proportion to the list: quadratic in the number of fields, about
//! 30 ms a keystroke at 100 product lines. Here a single effect reads the whole and sets only
//! the cells whose value changed, so a keystroke wakes the readers of one field.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use leptos::prelude::*;

/// Cells by key (cheap to clone: all clones share the cells).
pub struct Keyed<V: 'static> {
    cells: Arc<Mutex<HashMap<String, ArcRwSignal<V>>>>,
    /// The owner of the effect that feeds the cells, once started (see [`Keyed::feed_once`]).
    feeder: Arc<Mutex<Option<Owner>>>,
}

impl<V> Clone for Keyed<V> {
    fn clone(&self) -> Self {
        Keyed {
            cells: Arc::clone(&self.cells),
            feeder: Arc::clone(&self.feeder),
        }
    }
}

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Keyed {
            cells: Arc::default(),
            feeder: Arc::default(),
        }
    }
}

impl<V: Clone + PartialEq + Send + Sync + 'static> Keyed<V> {
    pub fn new() -> Keyed<V> {
        Keyed::default()
    }

    /// The cell of `key`, made with `init()` (the current value) on first use.
    pub fn cell(&self, key: &str, init: impl FnOnce() -> V) -> ArcRwSignal<V> {
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        cells
            .entry(key.to_owned())
            .or_insert_with(|| ArcRwSignal::new(init()))
            .clone()
    }

    /// A memo of `key`'s value: tracked, and woken only when that value changes.
    pub fn memo(&self, key: &str, init: impl FnOnce() -> V) -> Memo<V> {
        let cell = self.cell(key, init);
        Memo::new(move |_| cell.get())
    }

    /// Starts, the first time it is called, the effect `feed` makes (which keeps the cells up
    /// to date), under an owner of its own: it lives as long as the cells, not as long as the
    /// component that happened to ask first. Call it while rendering (an effect needs the
    /// executor that mounting starts).
    pub fn feed_once(&self, feed: impl FnOnce(Keyed<V>)) {
        let mut feeder = self.feeder.lock().unwrap_or_else(|e| e.into_inner());
        if feeder.is_none() {
            // `new_root` makes itself the current owner: put the caller's back afterwards.
            let caller = Owner::current();
            let owner = Owner::new_root(None);
            if let Some(caller) = &caller {
                caller.set();
            }
            owner.with(|| feed(self.clone()));
            *feeder = Some(owner);
        }
    }

    /// Sets the cell of `key`, if there is one and its value differs.
    pub fn set(&self, key: &str, value: V) {
        let cell = {
            let cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells.get(key).cloned()
        };
        if let Some(cell) = cell {
            if cell.with_untracked(|old| *old != value) {
                cell.set(value);
            }
        }
    }

    /// Brings every cell up to date with `current(key)`, setting only those that changed.
    pub fn sync(&self, current: impl Fn(&str) -> V) {
        self.sync_changed(|key, old| {
            let now = current(key);
            (*old != now).then_some(now)
        });
    }

    /// As [`Keyed::sync`], with `changed(key, old)` giving the new value only when it differs
    /// (so an unchanged value need not even be built).
    pub fn sync_changed(&self, changed: impl Fn(&str, &V) -> Option<V>) {
        let updates: Vec<(ArcRwSignal<V>, V)> = {
            let cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells
                .iter()
                .filter_map(|(key, cell)| {
                    cell.with_untracked(|old| changed(key, old))
                        .map(|now| (cell.clone(), now))
                })
                .collect()
        };
        // Set outside the lock: a reader woken here may ask for another cell.
        for (cell, value) in updates {
            cell.set(value);
        }
    }
}
