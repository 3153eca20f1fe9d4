"""The model half of :class:`~dagflow.Pipeline`: model steps and immediate model calls.

Steps (``init_model``, ``train_model``, ``predict_model``, ``load_model``,
``save_model``, ``import_model``) are recorded like any API action; their
run-time code lives in :mod:`dagflow.runtime.model_actions`.  ``gather_metrics``
is recorded as a function step that calls
:func:`dagflow.models.metrics.make_metrics`.  ``load_model_now``,
``save_model_now`` and ``get_model_by_name`` act at once.
"""
from __future__ import annotations

from ..core.step import StepKind, caller_source
from ..exceptions import ExpressionError, ModelError, StepArgumentError
from ..expr import Context, evaluate, is_expression, normalize_mode
from ..models.metrics import MetricsError, make_metrics
from ..models.metrics.gather import check_metrics_arguments
from ..models.store import default_model_name, parse_model_args
from ..runtime.model_actions import load_model_into
from .registry import Resolved

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

        The class may be a named expression (``C('model_class')``,
        ``C('model', default=ResNet18)``), evaluated when the model is created:
        for a static model now, for a dynamic one by its first use, so a config
        given later (``pipeline << {'model_class': ...}``) reaches it.  The model
        must then be named.  Without a class, ``config['model_class']`` is the
        class (and is taken out of the config).

        ``init_model(name, source=...)`` uses an existing model instead of
        creating one: ``source`` is a model object, a pipeline that has a model
        ``name``, or a named expression giving either; a static model is taken
        now, a dynamic one by its first use (after the source pipeline has run).

        The step is recorded in the ``before`` section: it is a declaration and
        does nothing per batch.

        Examples
        --------
        >>> from dagflow import C, Pipeline, V
        >>> from dagflow.models import BaseModel
        >>> class MyModel(BaseModel):
        ...     pass
        >>> p = (Pipeline().init_variable('images_shape', [256, 256])
        ...      .init_model('mymodel', MyModel, 'static', config={'input_shape': V('images_shape')}))
        >>> p.m('mymodel').config['input_shape']
        [256, 256]
        >>> chosen = Pipeline().init_model('chosen', C('model_class', default=BaseModel))
        >>> type((chosen << {'model_class': MyModel}).m('chosen')).__name__
        'MyModel'
        >>> Pipeline().init_model('same', source=p.m('mymodel')).m('same') is p.m('mymodel')
        True
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
            ``fetches=`` (the guide's spelling) and ``outputs=`` (BatchFlow 0.10.1's) name
            what the model returns: either reaches a model that takes only the other
            (giving both is an error).
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

    def gather_metrics(self, metrics_class, targets=None, predictions=None, fmt=None, axis=None, save_to=None,
                       mode='w', **kwargs):
        """For every batch, make ``metrics_class(targets, predictions, ...)`` and store it in ``save_to``.

        With ``mode='u'`` (or ``'update'``) the variable accumulates: the first
        batch stores its metrics object, every later one is added to it
        (``metrics.update(new)``), so the confusion counts of the whole run are
        exact; ``pipeline.v('metrics').evaluate([...])`` then gives the figures
        of the data set.  With ``mode='w'`` the variable holds the last batch's
        metrics; with ``'a'`` a variable that starts as None or a list collects
        one metrics object per batch.

        In the plan the step is a state step on the variables it reads and
        writes (``save_to`` and any ``V`` among the arguments), and nothing
        else: it never waits for models or for other batches' preprocessing.

        Parameters
        ----------
        metrics_class : type or str
            A class of :mod:`dagflow.models.metrics` (``ClassificationMetrics``,
            ``SegmentationMetricsByPixels``, ``SegmentationMetricsByInstances``,
            ``RegressionMetrics``) or a short name: ``'class'`` (or ``'classification'``),
            ``'segmentation'`` (or ``'mask'``), ``'instance'``, ``'regression'``.
        targets, predictions : named expression or array-like
            Evaluated per batch (``B('masks')``, ``V('inferred_masks')``).
        fmt, axis : optional
            What predictions hold and their class axis (for the
            classification and segmentation classes); left out, the class's
            defaults.
        save_to : named expression
            Where the metrics go, usually ``V('metrics')``.
        mode : {'w', 'a', 'e', 'u'} or their long names
            How ``save_to`` is written.
        **kwargs
            The other options of ``metrics_class`` (``num_classes``, ``threshold``,
            ``skip_bg``, ``iot``, ``weights``, ``multi``).

        Raises
        ------
        StepArgumentError
            When recorded: no targets, predictions or ``save_to``, an unknown
            class or option (with close matches), a bad option value or mode.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset, V, B
        >>> from dagflow.models.metrics import ClassificationMetrics
        >>> labels_and_predictions = np.array([[0, 0], [1, 2], [2, 2], [2, 2], [1, 1], [0, 1]])
        >>> ds = Dataset(6, preloaded=labels_and_predictions)
        >>> p = (ds.p.init_variable('metrics')
        ...      .gather_metrics(ClassificationMetrics, targets=B.data[:, 0], predictions=B.data[:, 1],
        ...                      fmt='labels', num_classes=3, save_to=V('metrics'), mode='u')
        ...      .run(batch_size=4, n_epochs=1))
        >>> p.v('metrics').evaluate('recall', multiclass=None)
        array([0.5, 0.5, 1. ])
        """
        source = caller_source()
        where = f' (step {len(self.steps())} of main, added at {source})' if source else ''
        if targets is None or predictions is None or save_to is None:
            missing = [name for name, value in (('targets', targets), ('predictions', predictions),
                                                ('save_to', save_to)) if value is None]
            raise StepArgumentError(f"gather_metrics{where} needs {', '.join(missing)}: e.g. "
                                    f"gather_metrics(ClassificationMetrics, targets=B('labels'), "
                                    f"predictions=V('predictions'), save_to=V('metrics'), mode='u').",
                                    step='gather_metrics', source=source)
        options = {**({'fmt': fmt} if fmt is not None else {}), **({'axis': axis} if axis is not None else {}),
                   **kwargs}
        try:
            normalize_mode(mode)
            if not is_expression(metrics_class):
                check_metrics_arguments(metrics_class, options, is_deferred=is_expression)
        except (ExpressionError, MetricsError) as exc:
            raise StepArgumentError(f'gather_metrics{where}: {exc}', step='gather_metrics') from None
        recorded = {'targets': targets, 'predictions': predictions, **options, 'save_to': save_to,
                    **({'mode': mode} if mode != 'w' else {})}
        return self._add_step('main', 'gather_metrics', Resolved(StepKind.FUNCTION, make_metrics, make_metrics),
                              (metrics_class,), recorded, source)

    def load_model_once(self, *args, **kwargs):
        """Load a model once, before the first batch: ``before.load_model(...)`` (BatchFlow's name for it).

        The arguments are those of :meth:`load_model`, in any unambiguous
        order (BatchFlow's ``(mode, name, model_class)`` too).  As in BatchFlow,
        the step goes into this pipeline's ``before`` section.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> from dagflow.models import BaseModel
        >>> p = Pipeline().load_model_once('dynamic', 'm', BaseModel, path='/models/m.npz')
        >>> [step.name for step in p.steps('before')]
        ['load_model']
        """
        return self.before.load_model(*args, **kwargs).pipeline

    def save_model_once(self, name, *args, **kwargs):
        """Save a model once, after the last batch: ``after.save_model(...)`` (BatchFlow's name for it).

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().save_model_once('m', path='/models/m.npz')
        >>> [step.name for step in p.steps('after')]
        ['save_model']
        """
        return self.after.save_model(name, *args, **kwargs).pipeline

    def load_model_now(self, *args, batch=None, **kwargs):
        """Load a model immediately (not a step): ``load_model_now(name, model_class, mode, **load_kwargs)``.

        Named expressions in the arguments (the class too) are evaluated
        against the pipeline, or against ``batch`` when given.  Returns the
        loaded model.
        """
        load_kwargs = {k: v for k, v in kwargs.items() if k not in ('name', 'model_class', 'mode', 'config')}
        given = {k: v for k, v in kwargs.items() if k in ('name', 'model_class', 'mode', 'config')}
        name, model_class, mode, config = parse_model_args('load_model_now', args, given)
        name = name or default_model_name(model_class, 'load_model_now')
        context = self._context_now(batch)
        model = load_model_into(self.models, name, model_class, mode, evaluate(load_kwargs, context), context,
                                config=evaluate(config, context))
        return model

    def save_model_now(self, name: str, *args, batch=None, **kwargs):
        """Save the model ``name`` immediately (not a step): ``model.save(*args, **kwargs)``.

        Named expressions are evaluated against the pipeline, or against ``batch`` when given.
        """
        context = self._context_now(batch)
        name = evaluate(name, context)
        model = self.models.get(name, context, where=' (save_model_now)')
        model.save(*evaluate(args, context), **evaluate(kwargs, context))
        return self

    def _context_now(self, batch=None) -> Context:
        return self.state.context(batch)

    @property
    def model(self):
        """The pipeline's only model (BatchFlow's shortcut); an error when it has none or several.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> from dagflow.models import BaseModel
        >>> Pipeline().init_model('m', BaseModel, 'static').model
        <BaseModel>
        """
        names = sorted(self.models.names())
        if len(names) != 1:
            listing = f': {", ".join(map(repr, names))}' if names else ''
            raise ModelError(f'pipeline.model is the only model of a pipeline, but this one has {len(names)}'
                             f'{listing}; use pipeline.m(name).', value=names)
        return self.get_model_by_name(names[0])

    def get_model_by_name(self, name, batch=None):
        """The model ``name``; a dynamic one is created now (from ``batch`` when given).

        Inside a batch action use ``self.get_model_by_name(name)``: it passes the batch.
        ``name`` may be a named expression (``C('model_name')``), evaluated first.

        Raises
        ------
        UnknownModelError
            When the pipeline has no such model (a ``KeyError``).
        ModelError
            When an action uses a model its step was not known to touch.
        """
        if is_expression(name):
            name = evaluate(name, self._context_now(batch))
        return self.state.get_model(name, batch)

    m = get_model_by_name
