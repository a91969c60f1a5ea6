"""The `words` workload's corpus: 8 MB of text, generated deterministically.

Same seed, same bytes, on every machine, so runs can be compared. Word frequencies follow
Zipf's law like real text; some words are capitalised or in capitals, some are not ASCII,
and lines and tabs vary the whitespace, so every implementation has real work to do.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

SIZE = 8 * 1024 * 1024
SEED = 2016  # the year of the word-count seed article
SYLLABLES = ["ka", "to", "ri", "ne", "su", "lo", "pa", "mi", "de", "an", "or", "el", "qu", "sh", "th", "ve", "ux", "zy"]
NON_ASCII = ["café", "naïve", "über", "straße", "größe", "señor", "日本", "язык", "ελλάδα", "façade"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set(NON_ASCII)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def generate(path: Path, size: int = SIZE, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 60_000)
    rng.shuffle(vocabulary)
    cumulative, total = [], 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1.0 / rank  # Zipf: the r-th most common word is 1/r as frequent as the first
        cumulative.append(total)
    chunks, written = [], 0
    while written < size:
        line = []
        for word in rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(4, 16)):
            roll = rng.random()
            line.append(word.capitalize() if roll < 0.1 else word.upper() if roll < 0.12 else word)
        text = (" \t"[rng.random() < 0.05]).join(line) + "\n"
        chunk = text.encode()
        chunks.append(chunk)
        written += len(chunk)
    data = b"".join(chunks)[:size]
    data = data[: data.rfind(b"\n") + 1]  # end on a whole line, never inside a UTF-8 sequence
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def default_corpus(cache_dir: Path) -> Path:
    """The generated corpus, made once and reused from the cache."""
    path = cache_dir / f"corpus-{SEED}-{SIZE}.txt"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        generate(tmp)
        tmp.replace(path)
    return path


def describe(path: Path) -> dict:
    data = path.read_bytes()
    return {
        "path": path.name,
        "bytes": len(data),
        "words": len(data.split()),
        "distinct_words": len(set(data.lower().split())),
        "sha256": hashlib.sha256(data).hexdigest()[:16],
    }
