"""Collection settings for the doctests of the package."""
import importlib
import importlib.util
import pkgutil

import dagflow

# dagflow.models.torch needs the optional torch extra; its doctest runs only where torch is installed.
collect_ignore = [] if importlib.util.find_spec('torch') else ['dagflow/models/torch']

# Import every module of the package the usual way before the doctests are collected.  Under
# --import-mode=importlib pytest imports a module it collects from its file unless it is already
# imported, and a module executed that way replaces the one its package imported: two copies whose
# constants (SKIPPED, STOPPED, ...) are not the same objects.
for _module in pkgutil.walk_packages(dagflow.__path__, 'dagflow.'):
    if _module.name != 'dagflow.__main__' and not any(_module.name.startswith(p.replace('/', '.'))
                                                      for p in collect_ignore):
        importlib.import_module(_module.name)
