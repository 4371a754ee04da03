"""How the help search reads a query word the index does not hold: typos, adverbs, affixes, joins, prefixes.

A :class:`Speller` holds the vocabulary (stemmed terms with their postings, and the synonym groups) and turns an
unknown word into the vocabulary words it most likely stands for, each with a weight below 1. It must not turn
English words the docstrings never use into API names: a typo keeps its first letter, two edits need a long
word, and a short word close to many words is left out.

Examples
--------
>>> speller = Speller({"transpos": {0: 1.0}, "axis": {0: 1.0}}, {})
>>> speller.correct("tranpos")
[('transpos', 0.8)]
>>> speller.correct("dark")  # no vocabulary word within reach keeps its first letter
[]
"""
import bisect
from collections import defaultdict

from .text import STOPWORDS, edit_distance, stem

__all__ = ["Speller"]

PREFIX_WEIGHT = 0.7
TYPO_PENALTY = 0.2         # per edit
MIN_SHRINKING_TYPO_LENGTH = 7  # two edits that shorten a word need a word this long
SHORT_WORD = 5
MAX_SHORT_READINGS = 2     # a short unknown word with more equally close readings is left out
MIN_TYPO_LENGTH = 4        # shorter stems ("glu" of "glue") are too close to too many words
MAX_PREFIX_COMPLETIONS = 3
TYPO_SUFFIXES = ("ation", "tion", "sion", "ing", "ed", "er", "s")  # tried off an unknown word with a typo
ADVERB_SUFFIXES = ("ly", "ally")  # "numerically" -> "numerical", "automatically" -> "automatic"
ADVERB_WEIGHT = 0.6        # an adverb qualifies, it is not the thing searched for
AFFIX_WEIGHT = 0.8         # "reinitialize" -> "initialize", "unfreeze" -> "freeze"
AFFIXES = ("re", "un")
SPLIT_WEIGHT = 0.7         # "grayscale" -> "gray" + "scale"
MIN_SPLIT_PART = 3
# "compute"/"computation", "optim"/"optimize": the stemmer leaves these apart; a query word also searches them
DERIVED_SUFFIXES = ("at", "ion", "al", "iz", "ic", "ment", "ity", "or", "iv", "y", "ly", "ally")
MIN_DERIVED_LENGTH = 5
SPLIT_KNOWN_WEIGHT = 0.8   # "onehot" also reads as "one hot" when prose writes it so
DERIVED_WEIGHT = 0.6
TYPO_REACH = 2             # edits a typo may hold: a word longer than the vocabulary's longest by more is no typo
# Letters the stemmer may take off a word ("ings" then "mentation" -> "ment", a final "e", a doubled letter): a piece
# of a query word longer than the longest vocabulary word by more than this cannot stem to one. Bounding the split
# loop and the typo search by the vocabulary keeps the cost of any word, even 100 kB long, linear in its length.
STEM_SLACK = 12
MAX_REMEMBERED = 4096      # readings of words kept per speller (cleared when full)


class Speller:
    """Readings of query words over a vocabulary.

    Parameters
    ----------
    postings : mapping
        Term -> {entry: weight}; its keys are the vocabulary, the size of each posting says how common a term is.
    synonyms : mapping
        Term -> set of terms; a word with synonyms counts as known.
    """

    def __init__(self, postings, synonyms):
        self.postings = postings
        self.synonyms = synonyms
        self._initial_map = None  # built on the first unknown word
        self._sorted_terms = None  # for prefix completions (built lazily too)
        self._longest = max(map(len, postings), default=0)
        self._readings = {}  # stemmed word -> its readings (see correct)

    @property
    def _by_initial(self):
        """Typo candidates with their letters by (first letter, length), built on the first unknown word."""
        if self._initial_map is None:
            self._initial_map = defaultdict(list)
            for term in self.postings:
                if len(term) >= MIN_TYPO_LENGTH and "_" not in term:
                    self._initial_map[term[0], len(term)].append((term, frozenset(term)))
        return self._initial_map

    def correct(self, term):
        """Vocabulary terms standing for a stemmed query word (see :meth:`read`), remembered per word.

        Queries typed letter by letter (the docs search box) repeat their words: each is read once.

        Examples
        --------
        >>> Speller({"transpos": {}}, {}).correct("tranpos")
        [('transpos', 0.8)]
        """
        found = self._readings.get(term)
        if found is None:
            if len(self._readings) >= MAX_REMEMBERED:
                self._readings.clear()
            found = self._readings[term] = self.read(term)
        return list(found)

    def read(self, term):
        """Vocabulary terms standing for a stemmed query word: [(term, weight)], [] when none is likely.

        A known word stands for itself. Otherwise, in order: an adverb's adjective, typo fixes (also after
        taking a suffix off), a word without its "re"/"un", two known words written together, prefix completions.

        Examples
        --------
        >>> Speller({"exponential": {}, "exponentiallr": {}}, {}).correct("exponentially")
        [('exponential', 0.6)]
        """
        if term in self.postings or term in self.synonyms or len(term) < MIN_TYPO_LENGTH:
            return [(term, 1.0)]  # a known word, or one whose synonyms are (expanded later)
        for suffix in ADVERB_SUFFIXES:  # before typos: "exponentially" is "exponential", not "exponentiallr"
            base = term[:-len(suffix)]
            if term.endswith(suffix) and len(base) >= MIN_TYPO_LENGTH and base in self.postings:
                return [(base, ADVERB_WEIGHT)]
        scored = self.typos(term)
        if not scored:  # "computntion": the typo kept the stemmer from taking the suffix off
            for suffix in TYPO_SUFFIXES:
                if term.endswith(suffix) and len(term) - len(suffix) >= MIN_TYPO_LENGTH:
                    scored = self.typos(term[:-len(suffix)])
                    if scored:
                        break
        if scored:
            best = scored[0][0]
            return [(c, 1.0 - TYPO_PENALTY * d) for d, c in scored if d == best]
        for affix in AFFIXES:
            if term.startswith(affix) and term[len(affix):] in self.postings:
                return [(term[len(affix):], AFFIX_WEIGHT)]
        longest_piece = self._longest + STEM_SLACK
        for cut in range(min(len(term) - MIN_SPLIT_PART, longest_piece),
                         max(MIN_SPLIT_PART, len(term) - longest_piece) - 1, -1):
            head, tail = stem(term[:cut]), stem(term[cut:])
            if head in self.postings and tail in self.postings and not {term[:cut], term[cut:], head, tail} & STOPWORDS:
                return [(head, SPLIT_WEIGHT), (tail, SPLIT_WEIGHT)]
        if len(term) >= 4:
            return [(t, PREFIX_WEIGHT) for t in self.completions(term)[:MAX_PREFIX_COMPLETIONS]]
        return []

    def completions(self, prefix):
        """Vocabulary words starting with ``prefix`` (itself included), shortest first.

        Examples
        --------
        >>> Speller({"transpose": {}, "transform": {}, "train": {}}, {}).completions("trans")
        ['transform', 'transpose']
        """
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.postings)
        words = self._sorted_terms
        found = []
        for k in range(bisect.bisect_left(words, prefix), len(words)):
            if not words[k].startswith(prefix):
                break
            found.append(words[k])
        return sorted(found, key=len)

    def typos(self, term):
        """Vocabulary words within the typo distance of ``term``: [(distance, word)], best and commonest first.

        Examples
        --------
        >>> Speller({"gaussian": {}, "gauss": {}}, {}).typos("gausin")  # two edits only when they lengthen it
        [(2, 'gaussian')]
        """
        if len(term) > self._longest + TYPO_REACH:
            return []  # no vocabulary word within reach
        limit = 1 if len(term) <= 5 else TYPO_REACH
        # A typo keeps the first letter or swaps the first two (see below): only words starting so, of a length
        # within reach, are candidates. Letters of one word missing from the other bound the distance from below
        # (each needs an edit): most candidates fail that set test, and only the rest are aligned letter by letter.
        letters = frozenset(term)
        candidates = set()
        for initial in {term[0], term[1:2]} - {""}:
            for size in range(len(term) - limit, len(term) + limit + 1):
                candidates.update(c for c, own in self._by_initial.get((initial, size), ())
                                  if (c[0] == term[0] or c[:2] == term[1::-1])
                                  and len(letters - own) <= limit and len(own - letters) <= limit)
        scored = [(edit_distance(term, c, limit), c) for c in candidates]
        # Two edits that leave a short word shorter are how English words reach unrelated API names ("switch" ->
        # "swish"); people who mistype mostly drop letters ("gausin" -> "gaussian"), so those stay.
        # The first letter is rarely the mistyped one; a different one is how "dark" reaches "mark", "kill" "fill".
        scored = [(d, c) for d, c in scored
                  if (d <= 1 or (d <= limit and (len(c) > len(term) or len(term) >= MIN_SHRINKING_TYPO_LENGTH)))
                  and (c[0] == term[0] or c[:2] == term[1::-1])]
        scored.sort(key=lambda dc: (dc[0], -len(self.postings[dc[1]]), dc[1]))
        tied = sum(d == scored[0][0] for d, _ in scored[:MAX_SHORT_READINGS + 1])
        if len(term) <= SHORT_WORD and tied > MAX_SHORT_READINGS:
            return []  # "taste": last, test, task, fast ... a short word close to many is a word we lack, not a typo
        return scored

    def split_known(self, term):
        """The two words a known ``term`` joins when prose writes them apart ("onehot" / "one hot"), else [].

        Examples
        --------
        >>> Speller({"onehot": {}, "one": {}, "hot": {}, "one_hot": {}}, {}).split_known("onehot")
        ['one', 'hot']
        """
        if term not in self.postings or len(term) < 2 * MIN_SPLIT_PART:
            return []
        for cut in range(MIN_SPLIT_PART, len(term) - MIN_SPLIT_PART + 1):
            head, tail = term[:cut], stem(term[cut:])
            if f"{head}_{tail}" in self.postings:
                return [head, tail]
        return []

    def derived(self, term):
        """Vocabulary words one derivational suffix away from ``term`` ("comput" <-> "computat").

        Examples
        --------
        >>> speller = Speller({"computat": {}, "atomic": {}}, {})
        >>> speller.derived("comput"), speller.derived("atomically")
        (['computat'], ['atomic'])
        """
        if len(term) < MIN_DERIVED_LENGTH or "_" in term:
            return []
        out = [term + s for s in DERIVED_SUFFIXES if term + s in self.postings]
        out += [term[:-len(s)] for s in DERIVED_SUFFIXES
                if term.endswith(s) and len(term) - len(s) >= MIN_DERIVED_LENGTH and term[:-len(s)] in self.postings]
        return out
