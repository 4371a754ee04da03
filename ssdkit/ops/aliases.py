"""The one table of MXNet 1.9.1's operator aliases, and the MXNet op names ssdkit serves with a more general op.

:data:`MXNET_ALIASES` lists, for each MXNet op that has aliases, the alias names MXNet 1.9.1 registers
(``add_alias`` in its C++ sources), read from MXNet itself by ``tests/data/mxnet_ops/make_mxnet_ops.py``
(NumPy-interface ``_np*`` names, ``_sparse_*`` storage variants and backward ops are left out).
:data:`STAND_INS` names the MXNet ops ssdkit implements with another registered op (``elemwise_add`` is
``broadcast_add``: same values on equal shapes). The registry (:func:`ssdkit.ops.registry.alias_of`) resolves
every name of a group to the one registered op, so ``nd.random_uniform``, ``nd.uniform`` and
``nd.random.uniform`` run the same code; a group none of whose names is registered stays absent
(:func:`missing_groups`), never faked.

Examples
--------
>>> MXNET_ALIASES["sum"]
('sum_axis',)
>>> group_of("broadcast_plus")
('broadcast_add', 'broadcast_plus')
"""
__all__ = ["MXNET_ALIASES", "STAND_INS", "SSDKIT_SPELLINGS", "resolve", "group_of", "mxnet_name", "missing_groups"]

#: MXNet op name -> the aliases MXNet 1.9.1 registers for it.
MXNET_ALIASES = {
    '_contrib_box_nms': ('_contrib_box_non_maximum_suppression',),
    '_copy': ('identity',),
    '_div_scalar': ('_DivScalar',),
    '_equal': ('_Equal',),
    '_equal_scalar': ('_EqualScalar',),
    '_greater': ('_Greater',),
    '_greater_equal': ('_Greater_Equal',),
    '_greater_equal_scalar': ('_GreaterEqualScalar',),
    '_greater_scalar': ('_GreaterScalar',),
    '_hypot': ('_Hypot',),
    '_hypot_scalar': ('_HypotScalar',),
    '_lesser': ('_Lesser',),
    '_lesser_equal': ('_Lesser_Equal',),
    '_lesser_equal_scalar': ('_LesserEqualScalar',),
    '_lesser_scalar': ('_LesserScalar',),
    '_linalg_det': ('linalg_det',),
    '_linalg_extractdiag': ('linalg_extractdiag',),
    '_linalg_extracttrian': ('linalg_extracttrian',),
    '_linalg_gelqf': ('linalg_gelqf',),
    '_linalg_gemm': ('linalg_gemm',),
    '_linalg_gemm2': ('linalg_gemm2',),
    '_linalg_inverse': ('linalg_inverse',),
    '_linalg_makediag': ('linalg_makediag',),
    '_linalg_maketrian': ('linalg_maketrian',),
    '_linalg_potrf': ('linalg_potrf',),
    '_linalg_potri': ('linalg_potri',),
    '_linalg_slogdet': ('linalg_slogdet',),
    '_linalg_sumlogdiag': ('linalg_sumlogdiag',),
    '_linalg_syrk': ('linalg_syrk',),
    '_linalg_trmm': ('linalg_trmm',),
    '_linalg_trsm': ('linalg_trsm',),
    '_logical_and': ('_Logical_And',),
    '_logical_and_scalar': ('_LogicalAndScalar',),
    '_logical_or': ('_Logical_Or',),
    '_logical_or_scalar': ('_LogicalOrScalar',),
    '_logical_xor': ('_Logical_Xor',),
    '_logical_xor_scalar': ('_LogicalXorScalar',),
    '_maximum': ('_Maximum',),
    '_maximum_scalar': ('_MaximumScalar',),
    '_minimum': ('_Minimum',),
    '_minimum_scalar': ('_MinimumScalar',),
    '_minus_scalar': ('_MinusScalar',),
    '_mod': ('_Mod',),
    '_mod_scalar': ('_ModScalar',),
    '_mul_scalar': ('_MulScalar',),
    '_not_equal': ('_Not_Equal',),
    '_not_equal_scalar': ('_NotEqualScalar',),
    '_np_cumsum': ('cumsum',),
    '_plus_scalar': ('_PlusScalar',),
    '_power': ('_Power',),
    '_power_scalar': ('_PowerScalar',),
    '_random_exponential': ('random_exponential',),
    '_random_gamma': ('random_gamma',),
    '_random_generalized_negative_binomial': ('random_generalized_negative_binomial',),
    '_random_negative_binomial': ('random_negative_binomial',),
    '_random_normal': ('normal', 'random_normal'),
    '_random_pdf_dirichlet': ('random_pdf_dirichlet',),
    '_random_pdf_exponential': ('random_pdf_exponential',),
    '_random_pdf_gamma': ('random_pdf_gamma',),
    '_random_pdf_generalized_negative_binomial': ('random_pdf_generalized_negative_binomial',),
    '_random_pdf_negative_binomial': ('random_pdf_negative_binomial',),
    '_random_pdf_normal': ('random_pdf_normal',),
    '_random_pdf_poisson': ('random_pdf_poisson',),
    '_random_pdf_uniform': ('random_pdf_uniform',),
    '_random_poisson': ('random_poisson',),
    '_random_randint': ('random_randint',),
    '_random_uniform': ('random_uniform', 'uniform'),
    '_ravel_multi_index': ('ravel_multi_index',),
    '_rdiv_scalar': ('_RDivScalar',),
    '_rminus_scalar': ('_RMinusScalar',),
    '_rmod_scalar': ('_RModScalar',),
    '_rpower_scalar': ('_RPowerScalar',),
    '_sample_exponential': ('sample_exponential',),
    '_sample_gamma': ('sample_gamma',),
    '_sample_generalized_negative_binomial': ('sample_generalized_negative_binomial',),
    '_sample_multinomial': ('sample_multinomial',),
    '_sample_negative_binomial': ('sample_negative_binomial',),
    '_sample_normal': ('sample_normal',),
    '_sample_poisson': ('sample_poisson',),
    '_sample_uniform': ('sample_uniform',),
    '_shuffle': ('shuffle',),
    '_slice_assign': ('_crop_assign',),
    '_slice_assign_scalar': ('_crop_assign_scalar',),
    '_unravel_index': ('unravel_index',),
    'add_n': ('ElementWiseSum',),
    'BlockGrad': ('stop_gradient',),
    'broadcast_add': ('broadcast_plus',),
    'broadcast_axis': ('broadcast_axes',),
    'broadcast_sub': ('broadcast_minus',),
    'Cast': ('cast',),
    'Concat': ('concat',),
    'CTCLoss': ('_contrib_CTCLoss', '_contrib_ctc_loss', 'ctc_loss'),
    'elemwise_add': ('_Plus', '_add', '_plus'),
    'elemwise_div': ('_Div', '_div'),
    'elemwise_mul': ('_Mul', '_mul'),
    'elemwise_sub': ('_Minus', '_minus', '_sub'),
    'Flatten': ('flatten',),
    'max': ('max_axis',),
    'min': ('min_axis',),
    'Pad': ('pad',),
    'pick': ('choose_element_0index',),
    'Reshape': ('reshape',),
    'reverse': ('flip',),
    'slice': ('crop',),
    'SliceChannel': ('split',),
    'SoftmaxOutput': ('Softmax',),
    'sum': ('sum_axis',),
    'SwapAxis': ('swapaxes',),}

#: MXNet op (or ssdkit-only spelling) -> the registered ssdkit op that computes it.
STAND_INS = {
    "elemwise_add": "broadcast_add", "elemwise_sub": "broadcast_sub", "elemwise_mul": "broadcast_mul",
    "elemwise_div": "broadcast_div", "_mod": "broadcast_mod", "_power": "broadcast_power",
    "_maximum": "broadcast_maximum", "_minimum": "broadcast_minimum", "_hypot": "broadcast_hypot",
    "_equal": "broadcast_equal", "_not_equal": "broadcast_not_equal", "_greater": "broadcast_greater",
    "_greater_equal": "broadcast_greater_equal", "_lesser": "broadcast_lesser",
    "_lesser_equal": "broadcast_lesser_equal", "_logical_and": "broadcast_logical_and",
    "_logical_or": "broadcast_logical_or", "_logical_xor": "broadcast_logical_xor",
    "_npi_histogram": "_histogram",   # MXNet registers it as an alias of _histogram (np.histogram)
}

#: Spellings ssdkit has offered since its first version that MXNet lacks (MXNet has identity/_copy only).
SSDKIT_SPELLINGS = {"copy": "_copy"}

_GROUP = {}
for _name, _aliases in MXNET_ALIASES.items():
    for _member in (_name,) + _aliases:
        _GROUP[_member] = (_name,) + _aliases


def group_of(name):
    """Every MXNet name of the op ``name`` belongs to (MXNet's own name first); ``(name,)`` if it has none.

    Examples
    --------
    >>> group_of("Concat")
    ('Concat', 'concat')
    >>> group_of("relu")
    ('relu',)
    """
    return _GROUP.get(name, (name,))


def mxnet_name(name):
    """The op name MXNet writes into symbol JSON when a symbol is made through ``name``.

    Examples
    --------
    >>> mxnet_name("_plus"), mxnet_name("random_uniform"), mxnet_name("copy")
    ('elemwise_add', '_random_uniform', '_copy')
    """
    return group_of(SSDKIT_SPELLINGS.get(name, name))[0]


def missing_groups(is_registered):
    """MXNet ops with aliases that ssdkit has under none of their names (``is_registered(name) -> bool``).

    Examples
    --------
    >>> "CTCLoss" in missing_groups(lambda name: False)
    True
    """
    return sorted(k for k, v in MXNET_ALIASES.items() if not any(is_registered(n) for n in (k,) + v))


def resolve(name, is_registered):
    """The registered op that serves ``name``: itself, another name of its MXNet group, or a stand-in.

    Returns None when no name of the group is registered.

    Examples
    --------
    >>> resolve("_Plus", lambda n: n == "broadcast_add")
    'broadcast_add'
    """
    for member in group_of(SSDKIT_SPELLINGS.get(name, name)):
        for candidate in (member, STAND_INS.get(member)):
            if candidate is not None and is_registered(candidate):
                return candidate
    return None
