"""Shared helpers for the chapter's own tests (the copied-out folder has only these)."""

import random

import pytest


@pytest.fixture(scope="session")
def big_text_file(tmp_path_factory):
    """About 8 MB of words: long enough for most_common to take milliseconds."""
    rng = random.Random(1234)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(1, 9))) for _ in range(5000)]
    vocabulary += ["Café", "naïve", "Straße", "日本"]
    line = " ".join(rng.choices(vocabulary, k=20000)) + "\n"
    path = tmp_path_factory.mktemp("corpus") / "big.txt"
    path.write_text(line * (8_000_000 // len(line.encode())), encoding="utf-8")
    return path
