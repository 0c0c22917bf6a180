"""Marks the slow tests (≥ 1 s each, measured with ``pytest --durations=30``) as ``slow``, so
``make test-fast`` (``pytest -m "not slow"``) skips them in the inner loop; ``make test``
runs everything.

The lessons (executed by tests/test_lessons.py) and tests outside ``tests/nn_lib`` are marked
here, by path; ``tests/nn_lib`` marks its own with ``@pytest.mark.slow``.
"""

import pytest

# Node ids (relative to the repository) of slow tests whose files are not marked directly.
SLOW_TESTS = {
    "tests/test_backward.py::test_million_deep_chain",
    "tests/test_readme.py::test_network_example_runs",
}
SLOW_FILES = {
    "tests/test_cli.py",  # runs the demo, and the console script in a subprocess
    "tests/oracle/test_against_torch.py",  # imports PyTorch
    "tests/oracle/test_to_torch.py",  # imports PyTorch
    "tests/oracle/test_fuzz_torch.py",  # imports PyTorch; thousands of programs (1-4 s a test)
    "tests/oracle/test_fuzz_search.py",  # imports PyTorch; runs make fuzz's search briefly
    "tests/test_lessons.py",  # executes every lesson
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::")[0]
        if path.endswith(".ipynb") or path in SLOW_FILES or item.nodeid in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
