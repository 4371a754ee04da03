"""Which way a conversion goes, in a query and in an API name: "list to ndarray" is not ``tolist``.

Bag-of-words ranking cannot tell "ndarray to numpy" from "numpy to ndarray". Both a query and many names
say the direction with the same small words: ``to``/``into``/``as`` before the target, ``from`` before the
source (``asnumpy``, ``save_tobytes``, ``from_numpy``, ``center_to_corner``). A name whose target is what the
query converts *from* (or whose source is what the query converts *to*) answers the reverse question.

Examples
--------
>>> [sorted(ends) for ends in query_direction("python list to ndarray")]
[['list', 'python'], ['ndarray']]
>>> name_direction("ssdkit.nd.NDArray.tolist", lambda w: True)
(set(), {'list'})
>>> reversed_direction(query_direction("python list to ndarray"), (set(), {"list"}))
True
"""
from .text import STOPWORDS, split_words, stem

__all__ = ["query_direction", "name_direction", "reversed_direction", "query_io", "name_io", "query_opposites",
           "name_words"]

TO_WORDS = ("to", "into")
FROM_WORDS = ("from",)
NAME_TO_PREFIXES = ("to", "as")      # tolist, asnumpy, tobytes, as_in_context
NAME_FROM_PREFIXES = ("from",)       # frombuffer, from_numpy
MIN_JOINED_REST = 4                  # "tolist" -> "list"; "topk", "total" are no conversions
# "convert X to Y": the verb is neither end of the conversion
VERBS = frozenset(stem(w) for w in "convert conversion change turn cast transform go switch move".split())


def _content(words):
    return {stem(w) for w in words if w not in STOPWORDS} - VERBS


def query_direction(query):
    """(sources, targets) stems of a query that converts something ("A to B", "B from A"), else None.

    Examples
    --------
    >>> sources, targets = query_direction("load a symbol from json")
    >>> sorted(sources), sorted(targets)
    (['json'], ['load', 'symbol'])
    >>> query_direction("remove overlapping boxes") is None
    True
    """
    words = split_words(query)
    to = next((k for k, w in enumerate(words) if w in TO_WORDS), None)
    frm = next((k for k, w in enumerate(words) if w in FROM_WORDS), None)
    if to is not None and frm is not None and frm < to:      # "from A to B"
        sources, targets = _content(words[frm + 1:to]), _content(words[to + 1:])
    elif to is not None:                                     # "A to B"
        sources, targets = _content(words[:to]), _content(words[to + 1:])
    elif frm is not None:                                    # "B from A"
        sources, targets = _content(words[frm + 1:]), _content(words[:frm])
    else:
        return None
    return (sources, targets) if sources and targets else None


def name_direction(name, known):
    """(sources, targets) stems an API name converts between, or None.

    Parameters
    ----------
    name : str
        Fully qualified name; only its last part is read.
    known : callable
        ``known(stem) -> bool``: whether a word is in the vocabulary (so "tolist" splits, "total" does not).

    Examples
    --------
    >>> name_direction("ssdkit.boxes.center_to_corner", lambda w: True)
    ({'cent'}, {'corn'})
    >>> name_direction("ssdkit.nd.from_numpy", lambda w: True)
    ({'numpy'}, set())
    """
    parts = split_words(name.rsplit(".", 1)[-1])
    for k, part in enumerate(parts):
        if part in TO_WORDS + NAME_TO_PREFIXES and k + 1 < len(parts):
            return _content(parts[:k]), _content(parts[k + 1:])
        if part in FROM_WORDS and k + 1 < len(parts):
            return _content(parts[k + 1:]), _content(parts[:k])
        for prefixes, is_target in ((NAME_TO_PREFIXES, True), (NAME_FROM_PREFIXES, False)):
            for p in prefixes:
                rest = part[len(p):]
                if part.startswith(p) and len(rest) >= MIN_JOINED_REST and known(stem(rest)):
                    ends = {stem(rest)}
                    return (set(), ends) if is_target else (ends, set())
    return None


def reversed_direction(query_dir, name_dir):
    """Whether a name converts the other way round from the query (and not also the same way).

    Examples
    --------
    >>> reversed_direction(({"ndarray"}, {"numpy"}), ({"numpy"}, set()))
    True
    >>> reversed_direction(({"ndarray"}, {"numpy"}), (set(), {"numpy"}))
    False
    """
    if query_dir is None or name_dir is None:
        return False
    (q_src, q_dst), (n_src, n_dst) = query_dir, name_dir
    return bool(n_dst & q_src or n_src & q_dst) and not (n_dst & q_dst or n_src & q_src)


# "save the optimizer state" is not load_states: verbs of writing and reading, as a query says them (a past
# participle names what exists: "a saved params file" is read) and as a name holds them.
SAVE_VERBS = frozenset("save saving export exporting store storing dump dumping serialize serializing write "
                       "writing".split())
LOAD_VERBS = frozenset("load loading import importing restore restoring deserialize read reading "
                       "saved stored exported dumped serialized written".split())
SAVE_NAMES = frozenset("save export dump write serialize".split())
LOAD_NAMES = frozenset("load imports restore read deserialize".split())


def query_io(query):
    """``"save"`` or ``"load"`` when the query asks to write or to read (not both), else None.

    Examples
    --------
    >>> query_io("save optimizer state"), query_io("initialize from a saved params file"), query_io("save and load")
    ('save', 'load', None)
    """
    words = set(query.lower().split())
    saves, loads = bool(words & SAVE_VERBS), bool(words & LOAD_VERBS)
    if saves == loads:
        return None
    return "save" if saves else "load"


def name_io(name):
    """``"save"`` or ``"load"`` when the last part of an API name writes or reads (not both), else None.

    Examples
    --------
    >>> name_io("ssdkit.gluon.Trainer.load_states"), name_io("ssdkit.nd.save"), name_io("ssdkit.nd.concat")
    ('load', 'save', None)
    """
    parts = set(split_words(name.rsplit(".", 1)[-1].lower()))
    saves, loads = bool(parts & SAVE_NAMES), bool(parts & LOAD_NAMES)
    if saves == loads:
        return None
    return "save" if saves else "load"


# Verbs whose opposite is the same word with a prefix ("unpack" / "pack"), and pairs that are not.
OPPOSITE_PREFIXES = ("un", "de")
OPPOSITE_PAIRS = (("encode", "decode"), ("compress", "decompress"), ("serialize", "deserialize"),
                  ("freeze", "unfreeze"), ("squeeze", "unsqueeze"), ("push", "pull"), ("imencode", "imdecode"))
MIN_PREFIXED_REST = 4  # "unpack" -> "pack"; "under", "dense", "depth" are no opposites


def query_opposites(query, known):
    """Name words that do the opposite of a verb the query says: "unpack a record" is not ``pack``.

    Parameters
    ----------
    query : str
    known : callable
        ``known(word) -> bool``: whether a word is a part of some API name ("pack" is, "ense" is not).

    Examples
    --------
    >>> sorted(query_opposites("unpack the record", lambda w: w in ("pack", "unpack", "record")))
    ['pack']
    >>> sorted(query_opposites("decode an image", lambda w: w == "encode"))
    ['encode']
    """
    words = set(split_words(query)) - STOPWORDS
    out = set()
    for w in words:
        for p in OPPOSITE_PREFIXES:
            rest = w[len(p):]
            if w.startswith(p) and len(rest) >= MIN_PREFIXED_REST and known(rest):
                out.add(rest)          # "unpack" undoes "pack"
            if known(p + w):
                out.add(p + w)         # "pack" is undone by "unpack"
        for a, b in OPPOSITE_PAIRS:
            if w == a:
                out.add(b)
            elif w == b:
                out.add(a)
    return out - words


def name_words(name):
    """The lowercase words of an API name's last part: ``"ssdkit.recordio.unpack_img"`` -> ``{"unpack", "img"}``.

    Examples
    --------
    >>> sorted(name_words("ssdkit.recordio.unpack_img"))
    ['img', 'unpack']
    """
    return set(split_words(name.rsplit(".", 1)[-1]))
