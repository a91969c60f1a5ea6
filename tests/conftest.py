"""Options shared by the test folders (registered here so `pytest tests ...` accepts them too)."""

import os


def pytest_addoption(parser):
    parser.addoption(
        "--recipes",
        default=os.environ.get("RECIPES", ""),
        help="conformance: comma-separated import names to test (default: every installed one from chapters.toml)",
    )
