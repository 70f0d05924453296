"""sijpath: clinical decision support for sacroiliac-joint pain (the public API, imported on first use)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sijpath.domain.episode import Episode
    from sijpath.engine.assessment import Assessment
    from sijpath.engine.compare import Comparison, compare
    from sijpath.engine.ruleset import RuleSet
    from sijpath.pathway.assess import evaluate
    from sijpath.wiring import load_episode, load_record, load_ruleset

# name -> module: `import sijpath` stays instant, and `sijpath.evaluate` loads only the clinical core.
_PUBLIC = {
    "Assessment": "sijpath.engine.assessment",
    "Comparison": "sijpath.engine.compare",
    "Episode": "sijpath.domain.episode",
    "RuleSet": "sijpath.engine.ruleset",
    "compare": "sijpath.engine.compare",
    "evaluate": "sijpath.pathway.assess",
    "load_episode": "sijpath.wiring",
    "load_record": "sijpath.wiring",
    "load_ruleset": "sijpath.wiring",
}

__all__ = [
    "Assessment",
    "Comparison",
    "Episode",
    "RuleSet",
    "__version__",
    "compare",
    "evaluate",
    "load_episode",
    "load_record",
    "load_ruleset",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sijpath' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
