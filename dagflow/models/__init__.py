"""Models inside pipelines: the model interface, the per-pipeline store, safe model files.

Examples
--------
>>> from dagflow.models import BaseModel
>>> class MyModel(BaseModel):
...     def _build(self):
...         self.built = True
>>> MyModel().built
True
"""
from .base import BaseModel
from .io import atomic_write, load_arrays, save_arrays
from .store import MODES, Models, ModelSpec

__all__ = ['BaseModel', 'MODES', 'ModelSpec', 'Models', 'atomic_write', 'load_arrays', 'save_arrays']
