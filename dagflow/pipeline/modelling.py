"""The model half of :class:`~dagflow.Pipeline`: model steps and immediate model calls.

Steps (``init_model``, ``train_model``, ``predict_model``, ``load_model``,
``save_model``, ``import_model``) are recorded like any API action; their
run-time code lives in :mod:`dagflow.pipeline.model_api`.  ``load_model_now``,
``save_model_now`` and ``get_model_by_name`` act at once.
"""
from __future__ import annotations

from ..expr import Context, evaluate
from ..models.store import default_model_name, parse_model_args
from .guard import check_access
from .model_api import load_model_into

__all__ = ['ModelMixin']


class ModelMixin:
    """Model methods of :class:`~dagflow.Pipeline` (it provides ``_api`` and ``models``)."""

    def init_model(self, *args, **kwargs):
        """Declare a model: ``init_model(name, model_class, mode='dynamic', config=None)``.

        A ``'static'`` model is created now, its config evaluated against the
        pipeline (``C``, ``V`` with their defaults, ``F`` called without a
        batch); a ``'dynamic'`` one is created by the first step that uses it,
        its config evaluated against that step's batch (``B``,
        ``F(lambda batch: ...)``).  Named expressions may be config keys too.
        BatchFlow's ``(mode, model_class, name, config)`` and ``(name, mode,
        model_class)`` orders are accepted; the name defaults to
        ``model_class.default_name`` (the class name).

        The step is recorded in the ``before`` section: it is a declaration and
        does nothing per batch.

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> from dagflow.models import BaseModel
        >>> class MyModel(BaseModel):
        ...     pass
        >>> p = (Pipeline().init_variable('images_shape', [256, 256])
        ...      .init_model('mymodel', MyModel, 'static', config={'input_shape': V('images_shape')}))
        >>> p.m('mymodel').config['input_shape']
        [256, 256]
        """
        return self._api('init_model', *args, **kwargs)

    def train_model(self, name, *args, make_data=None, save_to=None, mode='w', use_lock=True, **kwargs):
        """For every batch, call ``model.train(*args, **kwargs)`` with evaluated arguments.

        Parameters
        ----------
        name : str
            The model's name.
        *args, **kwargs
            What the model's ``train`` takes; named expressions are evaluated per batch.
        make_data : callable, optional
            ``make_data(batch, model) -> dict`` gives the keyword arguments instead.
        save_to : named expression or sequence of them, optional
            Where to keep the output (one location per output for a sequence).
        mode : {'w', 'a', 'e', 'u'} or their long names
            How ``save_to`` is written.
        use_lock : bool
            Accepted for BatchFlow compatibility: dagflow always runs the steps
            that use one model in serial order, lock or not.

        Examples
        --------
        >>> from dagflow import Pipeline, B, V
        >>> from dagflow.models import BaseModel
        >>> class MyModel(BaseModel):
        ...     pass
        >>> p = (Pipeline().init_model('m', MyModel).init_variable('loss', init_on_each_run=list)
        ...      .train_model('m', x=B.images, y=B.labels, save_to=V('loss'), mode='a'))
        """
        return self._api('train_model', name, *args, make_data=make_data, save_to=save_to, mode=mode,
                         use_lock=use_lock, **kwargs)

    def predict_model(self, name, *args, make_data=None, save_to=None, mode='w', use_lock=True, **kwargs):
        """For every batch, call ``model.predict(...)``; the arguments are those of :meth:`train_model`.

        Examples
        --------
        >>> from dagflow import Pipeline, B, V
        >>> p = Pipeline().init_variable('predicted', init_on_each_run=list)
        >>> p = p.predict_model('m', x=B.images, save_to=V('predicted'), mode='e')
        """
        return self._api('predict_model', name, *args, make_data=make_data, save_to=save_to, mode=mode,
                         use_lock=use_lock, **kwargs)

    def load_model(self, *args, **kwargs):
        """Load a model at every batch: ``load_model(name, model_class, mode, config=None, **load_kwargs)``.

        The arguments are those of :meth:`init_model` plus what the model's
        ``load`` takes; the model is made with ``{'build': False, **config,
        'load': load_kwargs}``.

        Use ``pipeline.before.load_model(...)`` to load once before the run,
        and :meth:`load_model_now` to load right away.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> from dagflow.models import BaseModel
        >>> p = Pipeline().before.load_model('m', BaseModel, 'dynamic', path='/models/m.npz')
        """
        return self._api('load_model', *args, **kwargs)

    def save_model(self, name, *args, **kwargs):
        """Save a model at every batch: ``model.save(*args, **kwargs)`` (use ``after.save_model`` for once)."""
        return self._api('save_model', name, *args, **kwargs)

    def import_model(self, name, source):
        """Take the model ``name`` from another pipeline (or a model object), at every batch.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> from dagflow.models import BaseModel
        >>> class MyModel(BaseModel):
        ...     pass
        >>> train = Pipeline().init_model('model', MyModel, 'static')
        >>> infer = Pipeline().import_model('model', train)
        """
        return self._api('import_model', name, source)

    def load_model_now(self, *args, **kwargs):
        """Load a model immediately (not a step): ``load_model_now(name, model_class, mode, **load_kwargs)``.

        Returns the loaded model.
        """
        load_kwargs = {k: v for k, v in kwargs.items() if k not in ('name', 'model_class', 'mode', 'config')}
        given = {k: v for k, v in kwargs.items() if k in ('name', 'model_class', 'mode', 'config')}
        name, model_class, mode, config = parse_model_args('load_model_now', args, given)
        name = name or default_model_name(model_class)
        context = Context(pipeline=self, dataset=self.dataset)
        model = load_model_into(self.models, name, model_class, mode, evaluate(load_kwargs, context), context,
                                config=evaluate(config, context))
        self._compiled = None
        return model

    def save_model_now(self, name: str, *args, **kwargs):
        """Save the model ``name`` immediately (not a step): ``model.save(*args, **kwargs)``."""
        context = Context(pipeline=self, dataset=self.dataset)
        model = self.models.get(name, context, where=' (save_model_now)')
        model.save(*evaluate(args, context), **evaluate(kwargs, context))
        return self

    def get_model_by_name(self, name: str, batch=None):
        """The model ``name``; a dynamic one is created now (from ``batch`` when given).

        Inside a batch action use ``self.get_model_by_name(name)``: it passes the batch.

        Raises
        ------
        ModelError
            When the pipeline has no such model, or an action uses a model its
            step was not known to touch.
        """
        guard = check_access(self, f'model:{name}')
        if batch is None and guard is not None:
            batch = guard.batch  # a dynamic model made inside a step sees that step's batch
        context = Context.from_batch(batch) if batch is not None else Context(pipeline=self, dataset=self.dataset)
        return self.models.get(name, context)

    m = get_model_by_name
