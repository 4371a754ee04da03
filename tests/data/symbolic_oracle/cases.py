"""Graphs whose inferred shapes and dtypes tests/test_symbol_inference.py compares with MXNet 1.9.1.

Each builder takes the ``mx`` module (real MXNet in make_symbolic_oracle.py, ssdkit in the test), returns
``(symbol, shapes given to infer_shape_partial, np_shape mode)``.
"""


def fc_partial(mx):
    a = mx.sym.var('a', shape=(0, 10))
    b = mx.sym.FullyConnected(a, num_hidden=21, name='fc')
    return b + mx.sym.var('c', shape=(5, 0)), {}, False


def fc_unknown_state(mx):
    x2h = mx.sym.FullyConnected(mx.sym.var('data'), name='x2h', num_hidden=8)
    h2h = mx.sym.FullyConnected(mx.sym.var('prev'), name='h2h', num_hidden=8)
    return mx.sym.Activation(mx.sym.elemwise_add(x2h, h2h), act_type='relu', name='out'), {'data': (4, 6)}, False


def conv_backward(mx):
    a = mx.sym.var('a', shape=(0, 3, 0, 0))
    b = mx.sym.Convolution(a, num_filter=4, kernel=(3, 3), pad=(1, 1), name='c')
    return b + mx.sym.var('c', shape=(2, 4, 9, 7)), {}, False


def conv_stride2(mx):
    a = mx.sym.var('a', shape=(0, 3, 0, 0))
    b = mx.sym.Convolution(a, num_filter=4, kernel=(3, 3), stride=(2, 2), name='c')
    return b + mx.sym.var('c', shape=(2, 4, 5, 5)), {}, False


def concat_backward(mx):
    c = mx.sym.Concat(mx.sym.var('a', shape=(0, 10)), mx.sym.var('b'), dim=1, name='cat')
    return mx.sym.var('d', shape=(3, 16)) + c, {'b': (0, 0)}, False


def split_backward(mx):
    parts = mx.sym.SliceChannel(mx.sym.var('a', shape=(0, 12, 0)), num_outputs=3, axis=1, name='s')
    return parts[2] * mx.sym.var('c', shape=(2, 4, 5)), {}, False


def split_squeeze(mx):
    parts = mx.sym.split(mx.sym.var('a'), num_outputs=4, axis=0, squeeze_axis=True, name='s')
    return parts[0] + mx.sym.var('c', shape=(3, 2)), {}, False


def broadcast_partial(mx):
    return mx.sym.broadcast_add(mx.sym.var('a'), mx.sym.var('b'), name='add'), {'a': (0, 3), 'b': (4, 1)}, False


def broadcast_one_unknown(mx):
    return mx.sym.broadcast_mul(mx.sym.var('a'), mx.sym.var('b'), name='mul'), {'a': (2, 3)}, False


def dot_partial(mx):
    return mx.sym.dot(mx.sym.var('x'), mx.sym.var('y')), {'x': (0, 3, 4), 'y': (4, 5)}, False


def dot_partial_np(mx):
    return mx.sym.dot(mx.sym.var('x'), mx.sym.var('y')), {'x': (-1, 3, 4), 'y': (4, 5)}, True


def batch_dot_unknown(mx):
    return mx.sym.batch_dot(mx.sym.var('x'), mx.sym.var('y')), {'x': (0, 3, 4), 'y': (0, 0, 5)}, False


def transpose_partial(mx):
    return mx.sym.transpose(mx.sym.var('x'), axes=(0, 3, 2, 1)), {'x': (0, 3, 8, 6)}, False


def flatten_reshape(mx):
    y = mx.sym.Reshape(mx.sym.Flatten(mx.sym.var('x')), shape=(0, 2, -1))
    return y, {'x': (0, 4, 3)}, False


def pooling_activation(mx):
    y = mx.sym.Pooling(mx.sym.var('x'), kernel=(2, 2), stride=(2, 2), pool_type='max')
    return mx.sym.Activation(y, act_type='relu'), {'x': (0, 3, 8, 8)}, False


def where_unknown_cond(mx):
    return mx.sym.where(mx.sym.var('cond'), mx.sym.var('x'), mx.sym.var('y')), \
        {'cond': (0, 2), 'x': (3, 2), 'y': (3, 2)}, False


def where_known_cond(mx):
    return mx.sym.where(mx.sym.var('cond'), mx.sym.var('x'), mx.sym.var('y')), {'cond': (3, 2), 'y': (0, 2)}, False


def unary_backward(mx):
    y = mx.sym.exp(mx.sym.sin(mx.sym.var('x', shape=(0, 0))) * 2)
    return y + mx.sym.var('z', shape=(3, 4)), {}, False


def completely_unknown(mx):
    return mx.sym.sin(mx.sym.var('data')), {}, False


def completely_unknown_np(mx):
    return mx.sym.sin(mx.sym.var('data')), {}, True


def embedding_partial(mx):
    return mx.sym.Embedding(mx.sym.var('x'), input_dim=10, output_dim=4, name='emb'), {'x': (0, 5)}, False


def batchnorm_from_output(mx):
    y = mx.sym.BatchNorm(mx.sym.var('x'), name='bn')
    return y + mx.sym.var('z', shape=(2, 3, 4, 4)), {}, False


CASES = {f.__name__: f for f in (
    fc_partial, fc_unknown_state, conv_backward, conv_stride2, concat_backward, split_backward, split_squeeze,
    broadcast_partial, broadcast_one_unknown, dot_partial, dot_partial_np, batch_dot_unknown, transpose_partial,
    flatten_reshape, pooling_activation, where_unknown_cond, where_known_cond, unary_backward,
    completely_unknown, completely_unknown_np, embedding_partial, batchnorm_from_output)}


def fc_half(mx):
    return mx.sym.FullyConnected(mx.sym.var('x'), num_hidden=3, name='fc'), {'x': 'float16'}


def cast_unknown(mx):
    return mx.sym.Cast(mx.sym.var('d'), dtype='int32') + 1, {}


def add_unknown(mx):
    return mx.sym.var('a') * 2 + mx.sym.var('b'), {}


def add_one_known(mx):
    return mx.sym.elemwise_add(mx.sym.var('a'), mx.sym.var('b')), {'a': 'float64'}


TYPE_CASES = {f.__name__: f for f in (fc_half, cast_unknown, add_unknown, add_one_known)}


def attrs_conv(mx):
    data = mx.sym.Variable('data', attr={'mood': 'angry'})
    return mx.sym.Convolution(data=data, name='conv', kernel=(1, 1), num_filter=1,
                              attr={'__mood__': 'so so', 'wd_mult': 'x'}, lr_mult=1)


def attrs_scopes(mx):
    with mx.AttrScope(group='4', data='great'):
        d = mx.sym.Variable('data', attr={'dtype': 'data', 'group': '1', 'force_mirroring': 'True'}, lr_mult=1)
    with mx.AttrScope(__group__='4', ctx_group='dev1'):
        r = mx.sym.relu(d, name='r')
        with mx.AttrScope(__init_bias__='0.0'):
            fc = mx.sym.FullyConnected(r, num_hidden=2, name='fc', attr={'__x__': 'y'})
    return fc


def attrs_variable(mx):
    x = mx.sym.var('x', lr_mult=2, wd_mult=0.5, dtype='float16', shape=(2, 3), __foo__='bar')
    return mx.sym.BatchNorm(x * 2, fix_gamma=False, name='bn', __layout__='NC')


ATTR_CASES = {f.__name__: f for f in (attrs_conv, attrs_scopes, attrs_variable)}
