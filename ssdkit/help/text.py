"""Words for the help search: tokenizing code names and prose, light stemming, typo distance.

Code names and prose must meet on the same tokens: ``MultiBoxPrior``, ``multibox_prior`` and
"multibox prior" all become ``multi box prior`` plus the joined forms ``multibox``, ``boxprior`` and
``multiboxprior``, so a query may split or join the words either way.

Examples
--------
>>> tokens("Remove overlapping boxes")
['remov', 'overlap', 'box']
>>> name_tokens("MultiBoxPrior")
['multi', 'box', 'prior', 'multibox', 'boxprior', 'multiboxprior']
>>> edit_distance("hybridise", "hybridize")
1
"""
import functools
import re

__all__ = ["STOPWORDS", "split_words", "stem", "tokens", "name_tokens", "edit_distance"]

# Words that carry no meaning in a search over an API ("how do I ...", "what is the ...").
STOPWORDS = frozenset("""
a an the of to in on for by with from into onto at as is are was were be been being it its this that these those
i me my we our you your she they them their do does did doing done how what which who whom why when where
can could should would will shall may might must there here and or so than too very just also
any all each some such only own same other get gets getting got use using uses want wants need needs
way ways like thing things something make makes made let lets go goes going went gone back again already now please over
don doesn didn isn aren wasn won t s ll ve
""".split())

# Plurals the suffix rules cannot undo.
_IRREGULAR = {"indices": "index", "matrices": "matrix", "vertices": "vertex", "axes": "axis", "children": "child",
              "data": "data", "bias": "bias", "biases": "bias"}
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_WISE = "wise"
# "don't train", "doesnt record": the negation is a word of its own, and "not"/"never"/"without" can be searched.
_NEGATION = re.compile(r"\b(do|does|did|is|are|was|were|ca|can|could|should|would|wo|has|have|had)n[’']?t\b", re.I)
_MAX_JOIN = 3  # join up to this many adjacent name parts ("multi box prior" -> "multiboxprior")

# Two passes of (suffix, replacement, minimum stem length left); in each pass the first that applies wins, then a
# final "e" goes ("save"/"saved", "activate"/"activation" meet). Deliberately light: enough that "overlapping"/
# "overlap", "boxes"/"box", "hybridise"/"hybridize", "detection"/"detect" meet, without Porter's merges.
_INFLECTIONS = (
    ("sses", "ss", 2), ("ies", "y", 2), ("ied", "y", 2), ("xes", "x", 2), ("ches", "ch", 2), ("shes", "sh", 2),
    ("ings", "", 3), ("ing", "", 3), ("ed", "", 3), ("es", "", 3), ("s", "", 2),
)
_DERIVATIONS = (
    ("isation", "iz", 3), ("ization", "iz", 3), ("mentation", "ment", 3), ("ational", "at", 3), ("ation", "at", 3),
    ("ction", "ct", 3), ("ssion", "ss", 3), ("izer", "iz", 3), ("iser", "iz", 3), ("ise", "iz", 3),
    ("ize", "iz", 3), ("ness", "", 3), ("er", "", 3),
)
_VOWELS = frozenset("aeiouy")
# British -> American endings ("centre", "colour", "behaviour"); only in words this long ("four", "hour" stay)
_BRITISH = (("tre", "ter"), ("our", "or"), ("yse", "yze"))
_BRITISH_MIN_LENGTH = 6
_UNDOUBLE = ("ing", "ed", "er")  # suffixes after which "overlapp" -> "overlap"


def _strip(word, rules):
    for suffix, repl, keep in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            base = word[: len(word) - len(suffix)]
            if suffix in ("ings", "ing", "ed") and not _VOWELS & set(base):
                continue  # "string", "red": no vowel left, not a suffix
            base += repl
            if suffix in _UNDOUBLE and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouyls":
                base = base[:-1]
            return base
    return word


def split_words(text):
    """Split prose or code into lowercase words, breaking camelCase, snake_case and digits apart.

    Examples
    --------
    >>> split_words("box_nms of HybridSequential, VOC07MApMetric")
    ['box', 'nms', 'of', 'hybrid', 'sequential', 'voc', '07', 'm', 'ap', 'metric']
    >>> split_words("don't train")
    ['do', 'not', 'train']
    """
    return [w.lower() for w in _CAMEL.findall(_NEGATION.sub(r"\1 not", text or ""))]


# A vocabulary has ~10,000 words, each stemmed once; bounded so that a process answering many queries (or one
# with a huge word, whose pieces the speller stems) keeps a fixed amount of memory.
def _american(word):
    """British spellings meet American ones: "centre"/"center", "colours"/"colors" ("-ise" is a suffix rule)."""
    for british, american in _BRITISH:
        if british in word and len(word) >= _BRITISH_MIN_LENGTH:
            head, _, tail = word.rpartition(british)
            if tail in ("", "s", "d"):  # "centres", "centred" -> "centers", "centered"
                return head + american + ("ed" if tail == "d" else tail)
    return word


@functools.lru_cache(maxsize=1 << 15)
def stem(word):
    """A light suffix stripper (plurals, -ing, -ed, -er, -ise/-ize, -ation); returns lowercase.

    Examples
    --------
    >>> [stem(w) for w in ["boxes", "overlapping", "hybridise", "initialization", "priors", "loss", "saved"]]
    ['box', 'overlap', 'hybridiz', 'initializ', 'prior', 'loss', 'sav']
    """
    word = _american(word.lower())
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "eed")):
        return word
    word = _strip(_strip(word, _INFLECTIONS), _DERIVATIONS)
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def tokens(text, keep_stopwords=False):
    """Stemmed search tokens of prose (stop words dropped unless asked).

    Examples
    --------
    >>> tokens("How do I save the model weights?")
    ['sav', 'model', 'weight']
    """
    out = []
    for w in split_words(text):
        if keep_stopwords or w not in STOPWORDS:
            out.append(stem(w))
            base = w[:-len(_WISE)] if w.endswith(_WISE) else ""
            if len(base) >= 4 and base not in STOPWORDS:  # "elementwise" is also about "element"
                out.append(stem(base))
    return out


def name_tokens(name):
    """Tokens of a code name: its parts plus joins of up to three adjacent parts (stemmed).

    Examples
    --------
    >>> name_tokens("collect_params")
    ['collect', 'param', 'collectparam']
    """
    parts = split_words(name)
    out = [stem(p) for p in parts]
    for size in range(2, _MAX_JOIN + 1):
        for i in range(len(parts) - size + 1):
            out.append(stem("".join(parts[i:i + size])))
    return out


def edit_distance(a, b, limit=None):
    """Levenshtein distance with adjacent transpositions (optimal string alignment).

    Parameters
    ----------
    a, b : str
    limit : int, optional
        Stop early and return ``limit + 1`` once the distance is known to exceed ``limit``.

    Returns
    -------
    int

    Examples
    --------
    >>> edit_distance("colect", "collect"), edit_distance("tranpsose", "transpose")
    (1, 1)
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
