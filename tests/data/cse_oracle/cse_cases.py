"""Graphs whose common-subexpression elimination tests/test_common_expr.py compares with MXNet 1.9.1.

Each builder takes the ``mx`` module (real MXNet in make_cse_oracle.py, ssdkit in the test) and returns
``(symbol, input shapes)``.
"""


def fill(executor):
    """The inputs both sides run: uniform in [0.5, 1.5] from RandomState(0), arguments then auxiliary states
    in sorted name order."""
    import numpy as np
    rng = np.random.RandomState(0)
    for arrays in (executor.arg_dict, executor.aux_dict):
        for _, arr in sorted(arrays.items()):
            arr[:] = rng.uniform(0.5, 1.5, arr.shape)


def distinct_scalars(mx):
    a = mx.sym.var('a')
    return (a + 1) + (a + 2), {'a': (2, 3)}


def same_sum(mx):
    a, b = mx.sym.var('a'), mx.sym.var('b')
    return (a + b) + (a + b), {'a': (2, 3), 'b': (2, 3)}


def nested(mx):
    a, b, c = mx.sym.var('a'), mx.sym.var('b'), mx.sym.var('c')
    return ((a + b) + c) + ((a + b) + c), {'a': (4,), 'b': (4,), 'c': (4,)}


def repeated_outputs(mx):
    a = mx.sym.var('a')
    d = a + 1
    return mx.sym.Group([a * d, a * d, a * d]), {'a': (3,)}


def repeated_after_merge(mx):
    a, b = mx.sym.var('a'), mx.sym.var('b')
    d = a + 1
    return mx.sym.Group([a * d + b, a * d + b]), {'a': (3,), 'b': (3,)}


def dropout(mx):
    a = mx.sym.var('a')
    return mx.sym.Dropout(a) + mx.sym.Dropout(a), {'a': (3,)}


def named_layers(mx):
    x, w = mx.sym.var('x'), mx.sym.var('w')
    d1 = mx.sym.dot(x, w, name='d1')
    d2 = mx.sym.dot(x, w, name='d2')
    return mx.sym.exp(d1, name='e1') * mx.sym.exp(d2, name='e2'), {'x': (2, 3), 'w': (3, 4)}


def scalar_spelling(mx):
    a = mx.sym.var('a')
    return (a + 1) * (a + 1.0) * (a + 1), {'a': (2,)}


def legacy_split(mx):
    a = mx.sym.var('a')
    s1 = mx.sym.split(a, num_outputs=2, axis=1, name='s1')
    s2 = mx.sym.split(a, num_outputs=2, axis=1, name='s2')
    rows = mx.sym.relu(a, name='r1').sum(axis=1) + mx.sym.relu(a, name='r2').sum(axis=1)
    return mx.sym.broadcast_add(s1[0] + s2[0], rows.reshape((2, 1))), {'a': (2, 4)}


def batchnorm(mx):
    x = mx.sym.var('x')
    g, b, m, v = (mx.sym.var(n) for n in ('g', 'b', 'm', 'v'))
    return (mx.sym.BatchNorm(x, g, b, m, v, name='bn1') + mx.sym.BatchNorm(x, g, b, m, v, name='bn2'),
            {'x': (2, 3, 2, 2)})


def attribute_scope(mx):
    a = mx.sym.var('a')
    with mx.AttrScope(ctx_group='g1'):
        one = mx.sym.sqrt(a, name='q1')
    two = mx.sym.sqrt(a, name='q2')
    three = mx.sym.sqrt(a, name='q3')
    return one + two + three, {'a': (2,)}


def op_spellings(mx):
    x, y = mx.sym.var('x'), mx.sym.var('y')
    a = mx.sym.broadcast_add(x, y, name='ba')
    b = mx.sym.elemwise_add(x, y, name='ea')
    c = x + y
    d = mx.sym.concat(a, b, dim=0, name='c1') + mx.sym.Concat(a, b, dim=0, name='c2')
    return mx.sym.Group([d, c]), {'x': (2, 3), 'y': (2, 3)}


CASES = [op_spellings, distinct_scalars, same_sum, nested, repeated_outputs, repeated_after_merge, dropout, named_layers,
         scalar_spelling, legacy_split, batchnorm, attribute_scope]
