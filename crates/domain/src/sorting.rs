//! A stable sort whose work is done by one function whatever is sorted: the standard library's
//! (`slice::sort_by`) is compiled again for each element type and comparison, about 3.5 KB of
//! wasm each (docs/bytes.md, "Cuts made"). The same order as `sort_by`, in O(n log n).

use core::cmp::Ordering;

/// Sorts `v` as `v.sort_by(compare)` does: by `compare`, equal elements in their order.
pub fn sort_stable_by<T>(v: &mut Vec<T>, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        stable_order(items.len(), &mut |a, b| compare(&items[a], &items[b]))
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The indices `0..n` in the order `compare` puts them, equal ones in their order (a
/// bottom-up merge sort).
fn stable_order(n: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                // From the right run only if strictly before: equal ones keep their order.
                let take_right = right < end
                    && (left == middle || compare(order[right], order[left]) == Ordering::Less);
                if take_right {
                    *slot = order[right];
                    right += 1;
                } else {
                    *slot = order[left];
                    left += 1;
                }
            }
            start = end;
        }
        core::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_same_order_as_sort_by(keys in proptest::collection::vec(0u8..8, 0..80)) {
            // Each element carries its original position, so that stability shows.
            let items: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut ours = items.clone();
            sort_stable_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = items;
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn strings_and_reversed_orders() {
        let mut words: Vec<String> = ["b", "a", "c", "a", "", "ba"].map(String::from).to_vec();
        let mut expected = words.clone();
        sort_stable_by(&mut words, |a, b| b.cmp(a));
        expected.sort_by(|a, b| b.cmp(a));
        assert_eq!(words, expected);
    }
}
