"""Section views: ``p.before.xxx(...)``, ``p.after.xxx(...)`` and ``p.main.xxx(...)`` record into ``p`` itself."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..exceptions import StepArgumentError
from ..runtime.api import API_ACTIONS

if TYPE_CHECKING:
    from .pipeline import Pipeline

__all__ = ['SectionView', 'sections_unwrapped']

_DECLARED_NOW = frozenset({'init_lock'})
_LEAVES_SECTION = frozenset({'run', 'run_now', 'run_later', 'compile', 'check'})


class SectionView:
    """Records chained calls into one section: ``pipeline.before.init_lock().load_model(...)``.

    This is the one documented place where a statement (not a chain) changes a
    pipeline, as BatchFlow users expect for ``before``/``after`` (and ``main``,
    in the guide's whole-pipeline statement ``p.before....main....after....``):
    every call records its step into the pipeline itself and returns the view,
    so that the chain goes on in the same section.

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> p = Pipeline().init_variable('log', [])
    >>> p.before.update(V('log', mode='a'), 'start').call(print, 'ready')   # doctest: +ELLIPSIS
    <before section of <Pipeline template steps: before=2>>
    >>> [step.name for step in p.steps('before')]
    ['update', 'call']
    """

    __slots__ = ('pipeline', 'section')

    def __init__(self, pipeline: Pipeline, section: str):
        self.pipeline = pipeline
        self.section = section

    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        if name == 'run' and self.section != 'main':   # p.after.run(): that section alone (running.py)
            return lambda *args, **kwargs: self.pipeline._run_section_alone(self.section, args, kwargs) or self
        if (name in API_ACTIONS and name not in _DECLARED_NOW) \
                or not (hasattr(type(self.pipeline), name) or name in vars(self.pipeline)):
            return self.pipeline._recorder(self.section, name, in_place=True)
        attribute = getattr(self.pipeline, name)
        if not callable(attribute) or name in _LEAVES_SECTION:
            return attribute

        def in_section(*args, **kwargs):   # p.before.init_variable(...).update(...) stays in `before`
            result = attribute(*args, **kwargs)
            if isinstance(result, type(self.pipeline)) and result is not self.pipeline:   # it recorded a main step
                if self.section != 'main':
                    raise StepArgumentError(
                        f'{name} records a step that runs for every batch, so it cannot go in the {self.section!r} '
                        f'section (which runs once, without a batch). Chain it in the main section: '
                        f'pipeline.{name}(...).', step=name)
                self.pipeline._sections = result._sections   # the statement `p.main.xxx(...)` changes p
                return self
            return self if result is self.pipeline else result
        return in_section

    def __repr__(self):
        return f'<{self.section} section of {self.pipeline!r}>'


def sections_unwrapped(values):
    """``args`` or ``kwargs`` of a step with every section view (``p.before``) replaced by its pipeline."""
    if isinstance(values, dict):
        return {key: value.pipeline if isinstance(value, SectionView) else value for key, value in values.items()}
    return tuple(value.pipeline if isinstance(value, SectionView) else value for value in values)
