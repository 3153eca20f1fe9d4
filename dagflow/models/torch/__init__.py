"""PyTorch models for dagflow pipelines.

PyTorch is an optional dependency (the ``torch`` extra), so users of other
model libraries do not download it.  Importing this package without torch
installed raises an ``ImportError`` that says how to install it.

Examples
--------
>>> import dagflow.models.torch  # with torch installed this just works
"""
try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by a test that hides torch
    raise ImportError(
        "dagflow.models.torch needs PyTorch, which is not installed. Install it with "
        "`pip install 'dagflow[torch]'` (or `pip install torch`; for the CPU-only build see "
        "https://pytorch.org/get-started/locally/)."
    ) from exc

__all__: list[str] = []
