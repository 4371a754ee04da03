"""Ranking for ``mx.help``: BM25 over the catalog's fields, curated concepts, synonyms and typo tolerance.

Score of an entry for a query = BM25F (name, summary and concept phrases weigh most; module path,
parameters and docstring body less), scaled to the best hit, plus a bonus when the query contains every
word of a curated phrase of the entry (``concepts.CONCEPTS``) or names it exactly. Query words not in the
vocabulary are read by :mod:`.spelling` (typos, adverbs, joins, prefixes); synonyms of each word join the
query with a lower weight. A query that converts something ("list to ndarray") scales down APIs and
skips phrases that convert the other way (:mod:`.direction`). Entries that are one API under several names
(``nd.concat``/``sym.concat``) come back as one result with the others as aliases.

Examples
--------
>>> from ssdkit.help.catalog import Entry
>>> index = Index([Entry("ssdkit.nd.concat", "op", "Concatenate arrays along an axis."),
...                Entry("ssdkit.nd.transpose", "op", "Permute the axes of an array.")])
>>> [r.name for r in index.search("tranpose axes")]
['ssdkit.nd.transpose']
"""
import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .concepts import CONCEPTS, SYNONYMS
from .direction import (name_direction, name_io, name_words, query_direction, query_io, query_opposites,
                        reversed_direction)
from .spelling import DERIVED_WEIGHT, SPLIT_KNOWN_WEIGHT, TYPO_PENALTY, Speller
from .text import STOPWORDS, name_tokens, split_words, stem, tokens

__all__ = ["Index", "Result", "bounded_query", "MAX_QUERY_CHARS"]

# Field weights of BM25F: what a name or summary says counts more than a word deep in the docstring.
FIELD_WEIGHTS = {"name": 3.0, "keywords": 2.0, "summary": 1.5, "owner": 1.2, "path": 0.6, "params": 0.5, "doc": 0.4}
BM25_K1 = 1.2
BM25_B = 0.5               # docstrings vary from one line to pages: normalize length only halfway
CONCEPT_WEIGHT = 1.2       # a full phrase match outweighs the best plain BM25 hit (scaled to 1)
EXACT_NAME_BONUS = 1.5     # the query is the API's own name
SPOKEN_PATH_BONUS = 0.5    # "profiler counter": a namespace and a name in it, said with a space
DOTTED_WORD_BONUS = 1.0    # "use np.where here": a dotted name among other words
PATH_BONUS = 0.5           # ... and "mx.sym.load" names its namespace too: sym.load before nd.load
TARGET_DECAY = 0.92        # later targets of a concept rank a little below the first
SYNONYM_WEIGHT = 0.5
KIND_PRIOR = {"module": 0.9, "property": 0.95}
REVERSED_FACTOR = 0.6      # an API converting the other way from the query ("list to ndarray" vs tolist)
SYMBOLIC_PRIOR = 0.97      # the nd spelling of an op is the one to show first
BIGRAM_WEIGHT = 0.5        # adjacent query words that stand side by side in a summary or phrase
PHRASE_FIELDS = ("summary", "keywords")
KEYWORD_TARGET_DECAY = 0.6  # "torch.zeros" is text of nd.zeros, less of nd.ones and nd.full listed after it
KEYWORD_LENGTH_SHARE = 0.25  # curated phrases lengthen an entry less than prose: they must not dilute their targets
# Namespaces of other libraries in phrases ("torch.ones", "tf.argmax"): a query naming only the library
# ("torch.einsum") must not half-match every phrase of it.
FRAMEWORK_WORDS = frozenset("torch pytorch tf tensorflow keras np nn f mx mxnet gluoncv torchvision".split())
FRAMEWORK_WEIGHT = 0.25
QUERY_COVER_FLOOR = 0.1    # a phrase explaining little of the query still lifts its targets this much
PHRASE_COVER_POWER = 1.5   # a phrase half matched lifts a third as much as a phrase matched whole
PHRASE_MIN_COVER = 0.5     # share of a phrase's idf mass the query must hold for the phrase to lift its targets
COVERAGE_FLOOR = 0.3       # BM25 of an entry holding none of the query's words (by idf) vs all of them
COLLAPSED_MIN_IDF = 4.0    # a phrase left with one common word by its stop words lifts nothing (still searchable)
SENTENCE_WEIGHT = 0.25     # one sentence of a docstring holding the whole query adds this much ...
SENTENCE_MIN_WORDS = 3     # ... when it holds at least three of the query's words
SENTENCE_CANDIDATES = 10   # only the best entries so far are read sentence by sentence
# sentence ends, blank lines, and the start of a numpydoc parameter line ("axis : int")
_SENTENCE_BREAK = re.compile(r"(?<=[.;:!?])\s+|\n\s*\n|\n(?=\S+ :)")
RAW_TYPO_MIN_LENGTH = 6    # a word this long that the stems miss is compared with the catalog's unstemmed words
PREFIX_ONLY = 0.75         # ... also when all it got are prefix completions (weight 0.7)
JOIN_WEIGHT = 0.75         # "multi box" -> "multibox", "is recording" -> "is_recording"
# Only the start of a longer query is read (cut at a space): a pasted error line fits, and the cost of a
# query, ~1 ms per unknown word, stays bounded whatever is pasted (a 100 kB query answers as fast as a short one).
MAX_QUERY_CHARS = 500


def bounded_query(query):
    """``query`` cut to its first :data:`MAX_QUERY_CHARS` characters, at the last space when there is one.

    Examples
    --------
    >>> bounded_query("box " * 200) == ("box " * 125).rstrip()
    True
    """
    if len(query) <= MAX_QUERY_CHARS:
        return query
    head = query[:MAX_QUERY_CHARS]
    cut = head.rfind(" ")
    if not query[MAX_QUERY_CHARS].isspace() and cut > 0:  # the limit falls inside a word: leave it out
        head = head[:cut]
    return head.rstrip()


@dataclass
class Result:
    """One ranked answer: ``name`` (fully qualified), ``kind``, one-line ``summary``, ``score``, ``aliases``."""
    name: str
    kind: str
    summary: str
    score: float
    aliases: list = field(default_factory=list)

    def as_dict(self):
        """The result as a JSON-ready dict."""
        return {"name": self.name, "kind": self.kind, "summary": self.summary,
                "score": round(self.score, 4), "aliases": list(self.aliases)}


def _bigrams(toks):
    return [f"{a}_{b}" for a, b in zip(toks, toks[1:])]


class Index:
    """A search index over catalog entries (see :func:`ssdkit.help.catalog.build_catalog`).

    Parameters
    ----------
    entries : list of Entry
    concepts : sequence of (targets, phrases), optional
        Defaults to :data:`ssdkit.help.concepts.CONCEPTS`; targets not among the entries are ignored.
    synonyms : sequence of str, optional
        Space-separated synonym groups; defaults to :data:`ssdkit.help.concepts.SYNONYMS`.
    """

    def __init__(self, entries, concepts=CONCEPTS, synonyms=SYNONYMS):
        self.entries = list(entries)
        self.missing_targets = []
        by_name = {e.name: i for i, e in enumerate(self.entries)}
        self.by_name = by_name
        keywords = defaultdict(list)  # entry -> [(phrase token, weight)]
        self.phrases = []  # (token tuple, [(entry index, target weight)])
        for targets, phrases in concepts:
            found = []
            for rank, target in enumerate(targets.split()):
                i = by_name.get(f"ssdkit.{target}")
                if i is None:
                    self.missing_targets.append(target)
                    continue
                found.append((i, TARGET_DECAY ** rank))
            share = [KEYWORD_TARGET_DECAY ** rank for rank in range(len(found))]
            for phrase in phrases.split("|"):
                words = tuple(dict.fromkeys(tokens(phrase) or tokens(phrase, keep_stopwords=True)))
                if found and words:
                    # "torch.where", "is training": stop words gone, one word left that stands for much else
                    collapsed = len(words) == 1 and len(split_words(phrase)) > 1
                    self.phrases.append((words, found, collapsed, query_direction(phrase)))
                    for (i, _), w in zip(found, share):
                        keywords[i].extend((t, w) for t in words)
        self._build_postings(keywords)
        kept = [p for p in self.phrases if not p[2] or self.idf.get(p[0][0], 0.0) >= COLLAPSED_MIN_IDF]
        self.phrases = [(words, found) for words, found, _, _ in kept]
        self.phrase_directions = [direction for *_, direction in kept]  # "list to ndarray" lifts nothing for tolist
        self.phrases_with = defaultdict(list)  # term -> indices of the phrases holding it
        for k, (words, _) in enumerate(self.phrases):
            for t in words:
                self.phrases_with[t].append(k)
        # phrase idf mass with a framework's name discounted (the query names one) or not (it names none)
        self.phrase_mass = {named: [sum(self._phrase_idf(t, named=named) for t in words) for words, _ in self.phrases]
                            for named in (True, False)}
        self.synonyms = defaultdict(set)
        for group in synonyms:
            stems = {stem(w) for w in group.split()}
            for s in stems:
                self.synonyms[s] |= stems - {s}
        self.speller = Speller(self.postings, self.synonyms)
        self._raw_speller = None  # typos of unstemmed words (built on the first word the stemmed vocabulary misses)
        self._directions = None  # built on the first query that converts something
        self._name_words = None  # per entry: the words of its name (built on the first query saying an opposite)
        self._known_name_words = None
        self._sentence_cache = {}  # entry -> token sets of its sentences
        self._io = None  # per entry: does its name save or load (built on the first query that says which)
        self.exact = defaultdict(list)
        self.members = defaultdict(list)  # group -> its entries, for the aliases of a result
        # per-entry factor applied last: kind prior and the symbolic spelling's small discount
        self.prior = [KIND_PRIOR.get(e.kind, 1.0) * (SYMBOLIC_PRIOR if e.name.startswith("ssdkit.sym.") else 1.0)
                      for e in self.entries]
        for i, e in enumerate(self.entries):
            self.members[e.group].append(i)
            self.exact[e.name.rsplit(".", 1)[-1].lower()].append(i)
            self.exact[".".join(e.name.rsplit(".", 2)[-2:]).lower()].append(i)  # "sym.load", "nn.dense"

    def _build_postings(self, keywords):
        self.postings = defaultdict(dict)
        self.lengths = []
        doc_tokens = {}  # alias entries share their docstring: tokenize it once
        for i, e in enumerate(self.entries):
            parts = e.name.split(".")
            if e.doc not in doc_tokens:
                doc_tokens[e.doc] = tokens(e.doc)
            owner = parts[-2] if len(parts) > 2 and parts[-2][:1].isupper() else ""  # the class of a method
            fields = {
                "name": name_tokens(parts[-1]),
                "owner": name_tokens(owner) if owner else [],
                "path": [t for p in parts[1:-2 if owner else -1] for t in tokens(p, keep_stopwords=True)],
                "summary": tokens(e.summary),
                "keywords": [t for t, _ in keywords.get(i, [])],
                "params": [t for p in e.params for t in tokens(p, keep_stopwords=True)],
                "doc": doc_tokens[e.doc],
            }
            tf = defaultdict(float)
            length = 0.0
            for fname, toks in fields.items():
                w = FIELD_WEIGHTS[fname]
                length += w * len(toks) * (KEYWORD_LENGTH_SHARE if fname == "keywords" else 1.0)
                scale = [s for _, s in keywords.get(i, [])] if fname == "keywords" else [1.0] * len(toks)
                for t, sc in zip(toks, scale):
                    tf[t] += w * sc
                if fname in PHRASE_FIELDS:
                    for t, sc in zip(_bigrams(toks), scale[1:]):
                        tf[t] += w * sc
            for t, v in tf.items():
                self.postings[t][i] = v
            self.lengths.append(length)
        n = len(self.entries)
        self.avg_length = sum(self.lengths) / max(n, 1)
        self._bm25_norm = [BM25_K1 * (1 - BM25_B + BM25_B * length / self.avg_length) for length in self.lengths]
        self._term_scores = {}  # term -> {entry: its BM25 share at query weight 1}, filled as queries use terms
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.max_idf = max(self.idf.values(), default=1.0)

    def query_terms(self, query):
        """Weighted query terms: {term: weight} (corrected, joined neighbours, synonyms).

        Examples
        --------
        >>> from ssdkit.help.catalog import Entry
        >>> idx = Index([Entry("ssdkit.gluon.Block.collect_params", "method", "All parameters.")], concepts=())
        >>> sorted(idx.query_terms("colect params").items())[:3]
        [('collect', 0.8), ('collectparam', 0.6), ('param', 1.0)]
        """
        query = bounded_query(query)
        words = [w for w in split_words(query) if w not in STOPWORDS] or split_words(query)
        terms = {}

        def add(term, weight):
            if weight > terms.get(term, 0.0):
                terms[term] = weight

        best = []  # the best reading of each word, for bigrams
        for w in words:
            readings = self._read(w)
            for t, wt in readings:
                add(t, wt)
            best.append(max(readings, key=lambda r: r[1])[0] if readings else None)
            parts = self.speller.split_known(stem(w))
            for t in parts:
                add(t, SPLIT_KNOWN_WEIGHT)
            if parts:
                add("_".join(parts), BIGRAM_WEIGHT)
        for a, b in zip(best, best[1:]):
            if a and b and f"{a}_{b}" in self.postings:
                add(f"{a}_{b}", BIGRAM_WEIGHT)
        raw = split_words(query)  # stop words too: "is recording" -> "isrecord" (is_recording)
        for a, b in zip(words, words[1:]):  # "multi box" -> "multibox", "colect params" -> "collectparam"
            joined = stem(a + b)
            if stem(a) in self.postings and stem(b) in self.postings:  # two known words join only exactly:
                readings = [(joined, 1.0)] if joined in self.postings else []  # "image fits" is no "imageit"
            else:
                readings = self.speller.correct(joined)
            for t, wt in readings:
                if t in self.postings:
                    add(t, wt * JOIN_WEIGHT)
        for a, b in zip(raw, raw[1:]):  # exact joins only: stop words are short, typos of them are noise
            if stem(a + b) in self.postings:
                add(stem(a + b), JOIN_WEIGHT)
        for t, wt in list(terms.items()):
            for d in self.speller.derived(t):
                add(d, wt * DERIVED_WEIGHT)
        for t, wt in list(terms.items()):
            for s in self.synonyms.get(t, ()):
                if s in self.postings:
                    add(s, wt * SYNONYM_WEIGHT)
        return terms

    def _read(self, word):
        """Readings of one query word: its stem's (see :class:`Speller`), else a typo of a word as prose spells it.

        The stemmer cannot take the suffix off a mistyped word ("learninng", "predictiions"): such a word is
        compared with the unstemmed words of the catalog, and the word it is closest to is stemmed.
        """
        readings = self.speller.correct(stem(word))
        if any(wt > PREFIX_ONLY for _, wt in readings) or len(word) < RAW_TYPO_MIN_LENGTH or not word.isalpha():
            return readings
        if self._raw_speller is None:
            raw = defaultdict(dict)  # word -> the entries saying it (how common a word is orders the fixes)
            texts = defaultdict(list)  # aliases share their docstring: split each text once
            for i, e in enumerate(self.entries):
                texts[e.doc].append(i)
                for w in split_words(f"{e.name.rsplit('.', 1)[-1]} {e.summary}"):
                    raw[w][i] = 1.0
            for text, holders in texts.items():
                for w in set(split_words(text)):
                    raw[w].update(dict.fromkeys(holders, 1.0))
            self._raw_speller = Speller(raw, {})
        fixed = self._raw_speller.typos(word)
        if not fixed:
            return readings
        best = fixed[0][0]
        found = {}
        for d, w in fixed:
            if d == best:  # the word it stands for, read as any query word is ("exponentially" -> "exponential")
                for t, wt in self.speller.correct(stem(w)):
                    found[t] = max(found.get(t, 0.0), wt - TYPO_PENALTY * d)
        return sorted(found.items()) if found and max(found.values()) > max((wt for _, wt in readings), default=0) \
            else readings

    def _word_groups(self, query):
        """Per query word: (its idf, the terms that stand for it), for the coverage factor of :meth:`search`."""
        groups = []
        for w in [w for w in split_words(query) if w not in STOPWORDS]:
            readings = [t for t, _ in self._read(w) if t in self.postings]
            if not readings:
                continue
            found = set(readings)
            for t in readings:
                found.update(self.speller.derived(t))
            for t in list(found):
                found.update(s for s in self.synonyms.get(t, ()) if s in self.postings)
            groups.append((max(self.idf[t] for t in readings), found))
        return groups

    def _coverage(self, groups, candidates):
        """Share of the query's idf mass whose words an entry holds (any reading of each word)."""
        total = sum(idf for idf, _ in groups) or 1.0
        cover = defaultdict(float)
        for idf, found in groups:
            holders = set()
            for t in found:
                holders.update(self.postings[t])
            for i in holders & candidates:
                cover[i] += idf / total
        return cover

    # --- scoring ----------------------------------------------------------------------------------------------
    def _bm25(self, terms):
        scores = defaultdict(float)
        for t, qw in terms.items():
            shares = self._term_scores.get(t)
            if shares is None:
                idf = self.idf.get(t)
                if idf is None:
                    continue
                norm = self._bm25_norm
                shares = self._term_scores[t] = {i: idf * tf * (BM25_K1 + 1) / (tf + norm[i])
                                                 for i, tf in self.postings[t].items()}
            for i, v in shares.items():
                scores[i] += qw * v
        return scores

    def _phrase_idf(self, term, default=None, named=True):
        """Weight of ``term`` in phrase matching: its idf, a quarter for a framework's name ("torch" of torch.ones).

        The quarter holds when the query names some framework (``named``): "torch.ones" then still finds
        "torch.zeros"-like phrases by their other word. A query naming none ("full of zeros") must hold the phrase's
        own words: "torch.full" is not half-matched by the English word "full".
        """
        idf = self.idf.get(term, self.max_idf if default is None else default)
        return idf * FRAMEWORK_WEIGHT if named and term in FRAMEWORK_WORDS else idf

    def _concept_bonus(self, terms, direction=None):
        bonus = defaultdict(float)
        said = {t: w for t, w in terms.items() if w >= 1.0 - 2 * TYPO_PENALTY}  # typed words, not synonyms
        named = any(t in FRAMEWORK_WORDS for t in said)
        mass = self.phrase_mass[named]
        query_mass = sum(self._phrase_idf(t, 0.0, named) * w for t, w in said.items()) or 1.0
        held = defaultdict(float)  # phrase -> idf mass of its words the query holds (each word once per phrase)
        for t, w in terms.items():
            phrases = self.phrases_with.get(t)
            if phrases:
                value = self._phrase_idf(t, named=named) * w
                for k in phrases:
                    held[k] += value
        for k, got in held.items():
            targets = self.phrases[k][1]
            if reversed_direction(direction, self.phrase_directions[k]):
                continue
            cover = got / mass[k]
            if cover < PHRASE_MIN_COVER:
                continue
            query_cover = min(1.0, got / query_mass)
            value = cover ** PHRASE_COVER_POWER * (QUERY_COVER_FLOOR + (1 - QUERY_COVER_FLOOR) * query_cover)
            for i, weight in targets:
                bonus[i] = max(bonus[i], value * weight)
        return bonus

    def search(self, query, n=10):
        """The ``n`` best results for ``query`` (a list of :class:`Result`, best first; see :func:`bounded_query`)."""
        query = bounded_query(query)
        final = self._score(query)
        return self._merge(final, n)

    def _score(self, query):
        """{entry: score} of every entry the query touches, before entries of one API become one result."""
        terms = self.query_terms(query)
        scores = self._bm25(terms)
        groups = self._word_groups(query)
        if COVERAGE_FLOOR < 1.0 and scores:
            cover = self._coverage(groups, set(scores))
            scores = {i: s * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * cover.get(i, 0.0)) for i, s in scores.items()}
        top = max(scores.values(), default=0.0) or 1.0
        final = {i: s / top for i, s in scores.items()}
        direction = query_direction(query)
        for i, b in self._concept_bonus(terms, direction).items():
            final[i] = final.get(i, 0.0) + CONCEPT_WEIGHT * b
        path = query.strip().lower().replace(" ", "_").rstrip("()").split(".")
        keys = [(path[-1], EXACT_NAME_BONUS)]
        if len(path) > 1:
            keys.append((".".join(path[-2:]), EXACT_NAME_BONUS * PATH_BONUS))
        words = query.lower().split()
        keys += [(f"{a}.{b}", EXACT_NAME_BONUS * SPOKEN_PATH_BONUS) for a, b in zip(words, words[1:])]
        if len(words) > 1:  # "np.where on arrays": a dotted name among other words names its API too
            keys += [(".".join(w.strip("()'\",:;").split(".")[-2:]), EXACT_NAME_BONUS * DOTTED_WORD_BONUS)
                     for w in words if "." in w.strip(".")]
        for key, bonus in keys:
            for i in self.exact.get(key, ()):
                final[i] = final.get(i, 0.0) + bonus
        for i, b in self._sentence_bonus(groups, final).items():
            final[i] += b
        io = query_io(query)
        if io is not None:  # "save the optimizer state": load_states reads what the query writes
            if self._io is None:
                self._io = [name_io(e.name) for e in self.entries]
            for i in final:
                if self._io[i] not in (None, io):
                    final[i] *= REVERSED_FACTOR
        opposites = query_opposites(query, self._name_words_known)
        if opposites:  # "unpack a record": pack does the opposite (pushpull does both)
            said = set(split_words(query))
            for i in final:
                if opposites & self._words_of(i) and not said & self._words_of(i):
                    final[i] *= REVERSED_FACTOR
        if direction is not None:  # "list to ndarray": tolist answers the reverse question
            for i in final:
                if reversed_direction(direction, self._name_direction(i)):
                    final[i] *= REVERSED_FACTOR
        prior = self.prior
        return {i: s * prior[i] for i, s in final.items()}

    def _sentence_bonus(self, groups, final):
        """Bonus of the best few entries by the share of the query (by idf) that one sentence of their text says.

        Words of a query found together in one sentence of a docstring ("alignment-free loss for speech") are
        better evidence than the same words scattered over its paragraphs; it takes ``SENTENCE_MIN_WORDS`` of them.
        """
        total = sum(idf for idf, _ in groups)
        if len(groups) < SENTENCE_MIN_WORDS or not final or not total:
            return {}
        bonus = {}
        for i in heapq.nlargest(SENTENCE_CANDIDATES, final, key=final.get):
            best = 0.0
            for sentence in self._sentences(i):
                said = [idf for idf, found in groups if not found.isdisjoint(sentence)]
                if len(said) >= SENTENCE_MIN_WORDS:
                    best = max(best, sum(said) / total)
            if best:
                bonus[i] = SENTENCE_WEIGHT * best
        return bonus

    def _sentences(self, i):
        """Token sets of the sentences of an entry's summary and docstring (made when the entry is first ranked)."""
        found = self._sentence_cache.get(i)
        if found is None:
            e = self.entries[i]
            found = self._sentence_cache[i] = [frozenset(tokens(part)) for part in
                                               _SENTENCE_BREAK.split(f"{e.summary}\n{e.doc}") if part.strip()]
        return found

    def _words_of(self, i):
        if self._name_words is None:
            self._name_words = [name_words(e.name) for e in self.entries]
        return self._name_words[i]

    def _name_words_known(self, word):
        if self._known_name_words is None:
            self._known_name_words = set().union(*(self._words_of(i) for i in range(len(self.entries))))
        return word in self._known_name_words

    def _name_direction(self, i):
        if self._directions is None:
            self._directions = [name_direction(e.name, self.postings.__contains__) for e in self.entries]
        return self._directions[i]

    def _merge(self, final, n):
        """The ``n`` best groups of ``final`` ({entry: score}), each with the other names of its group as aliases.

        Only the head of the ranking is sorted (a query touches hundreds of entries; a result page shows ten).
        """
        entries = self.entries
        key = lambda kv: (-kv[1], entries[kv[0]].name)  # noqa: E731 - best first, ties by name
        want = 4 * n + 8
        while True:
            # the want-th best score bounds the head (ties at it come along), and only the head is sorted by name
            cutoff = heapq.nlargest(want, final.values())[-1] if want < len(final) else -math.inf
            ranked = sorted([kv for kv in final.items() if kv[1] >= cutoff], key=key)
            groups = []
            for i, _ in ranked:
                if entries[i].group not in groups:
                    groups.append(entries[i].group)
                    if len(groups) == n:
                        break
            if len(groups) == n or len(ranked) == len(final):
                break
            want *= 4
        results, seen = [], set()
        for i, score in ranked:
            group = entries[i].group
            if group in seen or len(results) == n:
                continue
            seen.add(group)
            # a group named after an entry (an override's base method, an object's first name) shows that name
            head = entries[self.by_name.get(group, i)]
            members = sorted(((j, final[j]) for j in self.members[group] if j in final), key=key)
            results.append(Result(head.name, head.kind, head.summary, score,
                                  [entries[j].name for j, _ in members if entries[j].name != head.name]))
        return results
