"""The vocabulary every layer shares, values only: resources, effects and the API action specs."""
from .actions import API_SPECS, ActionSpec, Assigns, UsesModel, Writes, action_spec, register_action
from .resource import WILDCARD, Access, Effect, Resource, ResourceKind

__all__ = ['API_SPECS', 'Access', 'ActionSpec', 'Assigns', 'Effect', 'Resource', 'ResourceKind', 'UsesModel',
           'WILDCARD', 'Writes', 'action_spec', 'register_action']
