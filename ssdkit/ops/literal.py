"""MXNet attribute strings back to Python values (``"(3, 3)"`` -> ``(3, 3)``), in bounded time and memory.

MXNet's JSON stores every operator parameter as a string. What those strings hold is small: numbers, ``None``,
``True``/``False``, quoted strings, and tuples or lists of them. This reader takes exactly that and nothing
more, with no recursion beyond :data:`MAX_LITERAL_DEPTH` and no text beyond :data:`MAX_LITERAL_CHARS`, so a
crafted file (a 4 MB tuple, ``"1+" * 100000``, ten thousand open brackets) costs little and fails with a
:class:`LiteralError` instead of ``ast.literal_eval``'s RecursionError or gigabytes of syntax tree.

Examples
--------
>>> read_literal("(3, 3)"), read_literal("[0.5, -1e-05]"), read_literal("(None, 2)")
((3, 3), [0.5, -1e-05], (None, 2))
>>> read_literal("relu")  # not a literal: the caller keeps the text
Traceback (most recent call last):
...
ssdkit.ops.literal.NotALiteral: 'relu' is not a number, tuple or list
"""
import ast
import re

__all__ = ["read_literal", "LiteralError", "NotALiteral", "MAX_LITERAL_CHARS", "MAX_LITERAL_DEPTH"]

#: Longest attribute string read; the longest real one (a 32-axis shape, an anchor list) is a few hundred.
MAX_LITERAL_CHARS = 16384
#: Deepest nesting of tuples/lists read; real attributes nest at most twice (``((1, 2), (3, 4))``).
MAX_LITERAL_DEPTH = 16

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<str>'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*")
  | (?P<punct>[()\[\],])
)""", re.X)
_NAMES = {"None": None, "True": True, "False": False}
_CLOSE = {"(": ")", "[": "]"}


class LiteralError(ValueError):
    """An attribute string too long or nested too deep to read.

    Examples
    --------
    >>> issubclass(LiteralError, ValueError)
    True
    """


class NotALiteral(ValueError):
    """The text is no literal (``"relu"``, ``"1+1"``): callers keep it as text.

    Examples
    --------
    >>> issubclass(NotALiteral, ValueError)
    True
    """


def _tokens(text):
    pos, out = 0, []
    end = len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise NotALiteral(f"{text[:40]!r} is not a number, tuple or list")
        out.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return out


def read_literal(text):
    """The value an MXNet attribute string spells: a number, None, a bool, a quoted string, or a (nested)
    tuple/list of those.

    Parameters
    ----------
    text : str

    Returns
    -------
    int, float, str, bool, None, tuple or list

    Raises
    ------
    LiteralError
        ``text`` is longer than :data:`MAX_LITERAL_CHARS` or nests deeper than :data:`MAX_LITERAL_DEPTH`.
    NotALiteral
        ``text`` is something else (a word, an expression): the caller treats it as text.

    Examples
    --------
    >>> read_literal("(1,)"), read_literal("()"), read_literal("'float32'"), read_literal("(2)"), read_literal("1, 2")
    ((1,), (), 'float32', 2, (1, 2))
    >>> read_literal("(" * 20 + ")" * 20)
    Traceback (most recent call last):
    ...
    ssdkit.ops.literal.LiteralError: nests tuples/lists 17 deep, more than the 16 allowed
    """
    if len(text) > MAX_LITERAL_CHARS:
        raise LiteralError(f"is {len(text)} characters long, more than the {MAX_LITERAL_CHARS} allowed")
    tokens = _tokens(text)
    if not tokens:
        raise NotALiteral("empty text is not a literal")
    # read as if in parentheses, as Python does: "1, 2" is (1, 2) and "(3)" is 3
    value, pos = _value([("punct", "(")] + tokens + [("punct", ")")], 0, -1, text)
    if pos != len(tokens) + 2:
        raise NotALiteral(f"{text[:40]!r} is not a number, tuple or list")
    return value


def _value(tokens, pos, depth, text):
    """The value starting at ``tokens[pos]`` and the position after it (recursion bounded by the depth cap)."""
    if pos >= len(tokens):
        raise NotALiteral(f"{text[:40]!r} ends early")
    kind, tok = tokens[pos]
    if kind == "num":
        try:
            return (float(tok) if any(c in tok for c in ".eE") else int(tok)), pos + 1
        except ValueError:
            raise NotALiteral(f"{tok[:40]!r} is not a number") from None
    if kind == "name":
        if tok not in _NAMES:
            raise NotALiteral(f"{tok[:40]!r} is not a number, tuple or list")
        return _NAMES[tok], pos + 1
    if kind == "str":
        try:
            return ast.literal_eval(tok), pos + 1  # one quoted token: bounded, no expression inside
        except (ValueError, SyntaxError):
            raise NotALiteral(f"{tok[:40]!r} is not a valid string") from None
    if tok not in _CLOSE:
        raise NotALiteral(f"unexpected {tok!r} in {text[:40]!r}")
    if depth >= MAX_LITERAL_DEPTH:
        raise LiteralError(f"nests tuples/lists {depth + 1} deep, more than the {MAX_LITERAL_DEPTH} allowed")
    close, items, comma, pos = _CLOSE[tok], [], False, pos + 1
    while not (pos < len(tokens) and tokens[pos][1] == close):
        item, pos = _value(tokens, pos, depth + 1, text)
        items.append(item)
        if pos < len(tokens) and tokens[pos][1] == ",":
            comma, pos = True, pos + 1
        elif not (pos < len(tokens) and tokens[pos][1] == close):
            raise NotALiteral(f"{text[:40]!r} is not a number, tuple or list")
    if tok == "[":
        return items, pos + 1
    return (tuple(items) if comma or not items else items[0]), pos + 1
