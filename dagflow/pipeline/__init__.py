"""The pipeline layer: step records, the fluent builder and the pipeline API actions."""
from ..core.step import Step, StepKind
from .pipeline import Pipeline, SectionView

__all__ = ['Pipeline', 'SectionView', 'Step', 'StepKind']
