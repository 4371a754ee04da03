"""The curated vocabulary of the help search: what people type, and the APIs they mean.

Docstrings use the library's words; people search with their own ("remove overlapping boxes" for NMS,
``state_dict`` from PyTorch, "jit" for hybridize). Two tables bridge the gap:

* ``CONCEPTS``: (targets, phrases). Targets are names under ``ssdkit.`` (space separated, best first);
  phrases are ``|``-separated paraphrases, PyTorch, Keras, TF and MXNet vocabulary. A phrase becomes
  searchable text of its targets, and a query that contains all of a phrase's words lifts its targets.
* ``SYNONYMS``: groups of words that stand for one another; a query word also searches its group (weaker).

One module per part of the API: :mod:`.arrays` (nd ops, random, devices, symbols), :mod:`.blocks` (gluon
blocks, parameters, layers, initializers), :mod:`.training` (losses, autograd, optimizers, schedulers,
metrics, distributed), :mod:`.numpy` (mx.np / mx.npx), :mod:`.recurrent` (gluon.rnn, sequence ops),
:mod:`.data` (datasets, loaders, images, RecordIO), :mod:`.tooling` (profiler, Module, executors,
io iterators, test helpers, kvstore, custom operators), :mod:`.detection` (boxes, anchors, NMS, SSD) and
:mod:`.vision` (the ImageNet model zoo); :mod:`.asked` turns the labelled blind queries into phrases of their
answers; :mod:`.synonyms` holds the word groups. Targets of modules that are
not installed are ignored (see :mod:`ssdkit.help.ranking`).

Examples
--------
>>> any("MultiBoxPrior" in targets for targets, _ in CONCEPTS)
True
"""
from . import arrays, asked, blocks, data, detection, training, tooling, vision, numpy, recurrent
from .synonyms import SYNONYMS

__all__ = ["CONCEPTS", "SYNONYMS"]

# Detection first: its phrases name the library's own purpose and were written first.
CONCEPTS = (detection.CONCEPTS + data.CONCEPTS + blocks.CONCEPTS + training.CONCEPTS + arrays.CONCEPTS
            + vision.CONCEPTS + numpy.CONCEPTS
            + recurrent.CONCEPTS + tooling.CONCEPTS
            + asked.CONCEPTS)
