"""Collection settings for the doctests of the package."""
import importlib.util

# dagflow.models.torch needs the optional torch extra; its doctest runs only where torch is installed.
collect_ignore = [] if importlib.util.find_spec('torch') else ['dagflow/models/torch']
