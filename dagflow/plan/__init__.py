"""The planner: compile step records into a networkx plan with effects."""
from .check import CheckReport, Problem, check_models, check_plan
from .compile import compile_plan, state_dependencies
from .effects import Access, Effect, effects_of
from .plan import SECTIONS, Plan

__all__ = ['Access', 'CheckReport', 'Effect', 'Plan', 'Problem', 'SECTIONS', 'check_models', 'check_plan',
           'compile_plan', 'effects_of', 'state_dependencies']
