"""MXNet's metric registry: ``register`` / ``alias`` a class under names, build one from a name or config.

Examples
--------
>>> type(create_registered("acc")).__name__
'Accuracy'
"""
import json

from ..base import MXNetError
from .core import EvalMetric

__all__ = ["register", "alias", "registered_names", "create_registered"]


# lower-case name -> EvalMetric subclass (MXNet's registry for the 'metric' nickname)
_REGISTRY = {}


def register(klass, name=None):
    """Register an :class:`EvalMetric` subclass under ``name`` (default: its lower-cased class name).

    Parameters
    ----------
    klass : type
        A subclass of :class:`EvalMetric`.
    name : str, optional

    Returns
    -------
    type
        ``klass`` (so it works as a decorator).

    Examples
    --------
    >>> @register
    ... class MyMetric(EvalMetric):
    ...     def update(self, labels, preds):
    ...         pass
    >>> "mymetric" in registered_names()
    True
    """
    if not (isinstance(klass, type) and issubclass(klass, EvalMetric)):
        raise MXNetError(f"metric.register: expected a subclass of EvalMetric, got {klass!r}")
    _REGISTRY[(name or klass.__name__).lower()] = klass
    return klass


def alias(*aliases):
    """Decorator registering a metric class under extra names.

    Parameters
    ----------
    *aliases : str

    Returns
    -------
    callable

    Examples
    --------
    >>> @alias("my_alias")
    ... class Aliased(EvalMetric):
    ...     pass
    >>> "my_alias" in registered_names()
    True
    """
    def decorate(klass):
        for name in aliases:
            register(klass, name)
        return klass
    return decorate


def registered_names():
    """Sorted names (and aliases) that ``create`` accepts.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from ssdkit import metric
    >>> {"acc", "accuracy", "mae", "loss"} <= set(metric.registered_names())
    True
    """
    return sorted(_REGISTRY)


def create_registered(name, /, *args, **kwargs):
    """Build a registered metric from a name, a config dict or a JSON string (MXNet's registry ``create``).

    Parameters
    ----------
    name : str, dict or EvalMetric
        A registered name (case-insensitive), ``{"metric": name, **kwargs}``, a JSON list
        ``'["name", {kwargs}]'`` or object ``'{"metric": ...}'``; an instance is returned unchanged.

    Returns
    -------
    EvalMetric

    Examples
    --------
    >>> create_registered('["mae", {"name": "l1"}]').name
    'l1'
    """
    if isinstance(name, EvalMetric):
        if args or kwargs:
            raise MXNetError(f"metric.create: {name.name!r} is already an instance; extra arguments "
                             f"{args} {kwargs} are invalid")
        return name
    if isinstance(name, dict):
        config = dict(name)
        if not isinstance(config.get("metric"), str):
            raise MXNetError(f"metric.create: a config needs a 'metric' name, got {str(name)[:80]}")
        return create_registered(config.pop("metric"), *args, **config, **kwargs)
    if not isinstance(name, str):
        raise MXNetError(f"metric.create: expected a metric name, config, instance, list or callable, "
                         f"got {type(name).__name__}")
    if name.startswith(("[", "{")):
        try:
            config = json.loads(name)
            if name.startswith("[") and not (len(config) == 2 and isinstance(config[0], str)
                                             and isinstance(config[1], dict)):
                raise TypeError("not [name, kwargs]")
        except (ValueError, TypeError, RecursionError):
            raise MXNetError(f"metric.create: cannot parse {name[:80]!r} as [name, kwargs] or a config "
                             f"object") from None
        return create_registered(config[0], **config[1]) if isinstance(config, list) else create_registered(config)
    key = name.lower()
    if key not in _REGISTRY:
        raise MXNetError(f"metric.create: unknown metric {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[key](*args, **kwargs)
