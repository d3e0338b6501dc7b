"""gov-kg: a knowledge graph of Chinese city government work reports (政府工作报告).

The Python API (``docs/api.md``): ``kg.Graph`` opens a store (a path, or in memory) to build,
query, frame, count and export it; ``kg.named_queries()`` lists the named queries. Names are
imported on first use, so ``import kg`` stays light for the command and the server.

>>> import kg
>>> kg.Graph()
Graph('in memory', 0 quads)
>>> kg.named_queries()["observations"].description[:40]
'Every indicator observation with its pro'

"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Exported name → the module that defines it.
_EXPORTS = {
    "Graph": "kg.api", "Table": "kg.api", "named_queries": "kg.api",
    "BuildResult": "kg.outcomes",
    "KGError": "kg.errors", "InputError": "kg.errors", "QueryError": "kg.errors",
    "StoreError": "kg.errors",
}
__all__ = ["BuildResult", "Graph", "InputError", "KGError", "QueryError", "StoreError", "Table",
           "named_queries"]

if TYPE_CHECKING:
    from kg.api import Graph, Table, named_queries
    from kg.errors import InputError, KGError, QueryError, StoreError
    from kg.outcomes import BuildResult


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
