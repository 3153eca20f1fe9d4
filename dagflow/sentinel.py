"""Named marker values ("not given", "no default") that print and pickle as themselves."""

from __future__ import annotations

__all__ = ['Sentinel']


class Sentinel:
    """A marker value, one object per meaning, compared with ``is``.

    It prints as ``text`` and pickles by reference to the module-level name it
    is bound to, so a pickled pipeline or batch gets the same object back
    (a bare ``object()`` would come back as a different object, and every
    ``is`` test on it would fail).

    Parameters
    ----------
    name : str
        The name the sentinel is bound to in ``module``.
    module : str
        The module that binds it, usually ``__name__``.
    text : str, optional
        What ``repr`` shows; ``name`` by default.

    Examples
    --------
    >>> import pickle
    >>> from dagflow.expr.named import NO_DEFAULT
    >>> pickle.loads(pickle.dumps(NO_DEFAULT)) is NO_DEFAULT, repr(NO_DEFAULT)
    (True, 'NO_DEFAULT')
    """

    def __init__(self, name: str, module: str, text: str | None = None):
        self.name, self.text = name, text or name
        self.__module__ = module      # where pickle looks the name up

    def __repr__(self) -> str:
        return self.text

    def __reduce__(self) -> str:
        return self.name

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self
