//! What makes `most_common` fast, one choice at a time. Counts the words of a generated text
//! four ways and prints how long each takes:
//!
//! ```bash
//! cargo run --release --no-default-features --example word_count_variants
//! ```
//!
//! 1. `String` keys + std's SipHash: a new allocation per word, a DoS-resistant but slow hash.
//! 2. `&str` keys + SipHash: keys borrow from the text, no allocation per word.
//! 3. `&str` keys + foldhash: a fast hasher on top (what `core::most_common_words` does).
//! 4. `core::most_common_words` itself (counting plus ranking, for reference).
//!
//! The timings depend on the machine; the ordering is the point.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use recipes_pyo3::core::most_common_words;

/// About 8 MB of words drawn from a Zipf-like vocabulary, like the benchmark corpus.
fn generated_text() -> String {
    let vocabulary: Vec<String> = (0..224 * 224).map(|i| format!("word{i}")).collect();
    let mut state: u64 = 2016;
    let mut text = String::with_capacity(8 << 20);
    while text.len() < 8 << 20 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (state >> 33) as usize;
        // The product of two uniform numbers favours small indices: a few frequent words and
        // a long tail of rare ones, as in real text.
        let word = &vocabulary[(r % 224) * (r / 224 % 224)];
        text.push_str(word);
        text.push(if r.is_multiple_of(11) { '\n' } else { ' ' });
    }
    text
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', '\t', '\n', '\r', '\x0b', '\x0c'])
        .filter(|w| !w.is_empty())
}

fn time<T>(label: &str, run: impl Fn() -> T) {
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    println!("{label:48} {:8.1} ms", best.as_secs_f64() * 1e3);
}

fn main() {
    let text = generated_text();
    println!("{} MB, {} words", text.len() >> 20, words(&text).count());

    time("String keys, SipHash (std default)", || {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for word in words(&text) {
            *counts.entry(word.to_owned()).or_insert(0) += 1;
        }
        counts.len()
    });
    time("&str keys, SipHash", || {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for word in words(&text) {
            *counts.entry(word).or_insert(0) += 1;
        }
        counts.len()
    });
    time("&str keys, foldhash", || {
        let mut counts: HashMap<&str, u64, foldhash::fast::RandomState> = HashMap::default();
        for word in words(&text) {
            *counts.entry(word).or_insert(0) += 1;
        }
        counts.len()
    });
    time("core::most_common_words(text, 10)", || {
        most_common_words(&text, 10)
    });
}
