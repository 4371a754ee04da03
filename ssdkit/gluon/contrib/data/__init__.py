"""``mx.gluon.contrib.data``: contributed data utilities — :class:`IntervalSampler`.

MXNet's ``contrib.data.text`` (WikiText2 / WikiText103) downloads its corpora and is not part of ssdkit.

Examples
--------
>>> import ssdkit as mx
>>> list(mx.gluon.contrib.data.IntervalSampler(5, 2))
[0, 2, 4, 1, 3]
"""
from .sampler import IntervalSampler

__all__ = ["IntervalSampler"]
