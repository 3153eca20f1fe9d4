"""The vocabulary every layer shares, values only: step records, resources, effects and the API action specs."""
from .actions import API_SPECS, ActionSpec, Assigns, UsesModel, Writes, action_spec, register_action
from .resource import WILDCARD, Access, Effect, Resource, ResourceKind
from .step import Step, StepKind

__all__ = ['API_SPECS', 'Access', 'ActionSpec', 'Assigns', 'Effect', 'Resource', 'ResourceKind', 'Step', 'StepKind',
           'UsesModel', 'WILDCARD', 'Writes', 'action_spec', 'register_action']
