"""Running test code in several threads: each target in its own thread, the first failure
re-raised in the caller, a hung thread reported (shared by the thread tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_threads(*targets: Callable[[], None], together: bool = False,
                timeout: float = 20.0) -> None:
    """Run each target in its own thread and wait for all; ``together`` holds them at a
    barrier so they start at once. Re-raises the first failure; a thread still alive after
    ``timeout`` seconds fails the test."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets)) if together else None

    def wrap(target):
        def run():
            try:
                if barrier is not None:
                    barrier.wait(timeout)
                target()
            except BaseException as error:  # reported in the main thread
                errors.append(error)
        return run

    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]
