"""Demo data that an app on the demo's own layer makes for itself.

``relais.demo`` may import only the apps below it, not its peers (``reporting``, ``portal``,
``api``). Such an app registers here, from its ``AppConfig.ready``, a function that seeds its
own demo rows; ``seed_demo`` calls them all once the network is built. Each hook is idempotent
(run again after a flush, it finds or replaces its rows).
"""

from __future__ import annotations

from collections.abc import Callable

_HOOKS: dict[str, Callable[[], None]] = {}


def register(name: str, seed: Callable[[], None]) -> None:
    """Add (or replace, on a second ``ready``) the demo seed named ``name``."""
    _HOOKS[name] = seed


def run_all() -> list[str]:
    """Run every registered seed, in the order they were registered; their names."""
    for seed in _HOOKS.values():
        seed()
    return list(_HOOKS)
