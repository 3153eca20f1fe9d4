"""The pipeline layer: step records, the fluent builder and the pipeline API actions."""
from .pipeline import Pipeline, SectionView
from .step import Step, StepKind

__all__ = ['Pipeline', 'SectionView', 'Step', 'StepKind']
