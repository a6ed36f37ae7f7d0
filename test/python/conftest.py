"""Shared pytest set-up for test/python."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "small_dataset: PolyBench SMALL-dataset cases (slower; run by default, "
        "deselect with -m 'not small_dataset')",
    )
