"""Batches written over two database connections at once, committed in their order.

A batch's transaction waits on the database for about half its time (its COPYs, its updates,
the deferred foreign-key checks at commit); a second connection prepares and writes the next
batch meanwhile. Each batch is a ``Turn`` that keeps the order with two signals:

- the next batch starts writing once this one ``holds`` its locks, so when both name the same
  row (a prospect in both) the earlier batch takes it first and the later one waits for it;
- the next batch commits only after this one has, so progress only grows and a failure
  loses the batches after it, never one in the middle.

Neither waits for the other in any other way, so the two cannot deadlock. Row locks are what
make this worth doing: SQLite takes one writer at a time, so its batches stay in one lane.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.utils import translation

LANES = 2


class Stopped(Exception):
    """An earlier batch failed: this one is rolled back and reports that failure, not this."""


class Turn:
    """One batch's place in the order, as its own lane and the next batch see it."""

    def __init__(self, previous: Turn | None) -> None:
        self.previous = previous
        self._holding, self._committed = threading.Event(), threading.Event()
        self.failed = False

    def start(self) -> None:
        """Wait until the batch before holds its locks (call before the first write)."""
        if self.previous:
            self.previous._holding.wait()
            self._check()

    def holds(self) -> None:
        """Tell the next batch it may start writing: this one holds its locks."""
        self._holding.set()

    def before_commit(self) -> None:
        """Wait until the batch before has committed (call last inside the transaction)."""
        if self.previous:
            self.previous._committed.wait()
            self._check()

    def _check(self) -> None:
        if self.previous and self.previous.failed:
            raise Stopped

    def _end(self, failed: bool) -> None:
        self.failed = failed
        self._holding.set()
        self._committed.set()
        self.previous = None  # a long run keeps no chain of finished batches


def in_lanes[T](jobs: Iterable[T], write: Callable[[T, Turn], None]) -> None:
    """``write(job, turn)`` for each job, two at a time on their own connections, in order.

    ``write`` validates what needs no lock, calls ``turn.start()``, opens its transaction,
    calls ``turn.holds()`` once its locks are taken and ``turn.before_commit()`` last. Runs in
    the caller's language. The first failure stops the run and is raised here."""
    language = translation.get_language()
    inboxes: list[queue.Queue[tuple[T, Turn] | None]] = [queue.Queue(1) for _ in range(LANES)]
    failures: list[BaseException] = []
    lanes = [
        threading.Thread(target=_lane, args=(inbox, write, language, failures), daemon=True)
        for inbox in inboxes
    ]
    for lane in lanes:
        lane.start()
    turn: Turn | None = None
    try:
        for number, job in enumerate(jobs):
            if failures:
                break
            turn = Turn(turn)
            inboxes[number % LANES].put((job, turn))
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for lane in lanes:
            lane.join()
    if failures:
        raise failures[0]


def _lane(
    inbox: queue.Queue[Any],
    write: Callable[[Any, Turn], None],
    language: str | None,
    failures: list[BaseException],
) -> None:
    try:
        with translation.override(language):
            while (task := inbox.get()) is not None:
                job, turn = task
                try:
                    write(job, turn)
                except Stopped:
                    turn._end(failed=True)
                except BaseException as exc:
                    failures.append(exc)
                    turn._end(failed=True)
                else:
                    turn._end(failed=False)
    finally:
        connection.close()  # this thread's own connection
