"""MXNet's data parallelism for the Module API: one bound :class:`~ssdkit.symbol.bind.Executor` per context,
each running its slice of the batch (split by ``work_load_list``), outputs concatenated back along the batch
axis, gradients summed over the contexts before the optimizer step.

Examples
--------
>>> import ssdkit as mx
>>> net = mx.sym.FullyConnected(mx.sym.var('data'), num_hidden=2, name='fc')
>>> group = DataParallelExecutorGroup(net, [mx.cpu(0), mx.cpu(1)], [1, 1], [mx.io.DataDesc('data', (4, 3))],
...                                   None, ['fc_weight', 'fc_bias'], for_training=True, inputs_need_grad=False)
>>> group.slices, group.execs[0].arg_dict['data'].shape
([slice(0, 2, None), slice(2, 4, None)], (2, 3))
"""
from collections import OrderedDict

import numpy as np

from ..base import MXNetError
from ..io import DataDesc
from ..ndarray import NDArray, concat, zeros

__all__ = ["DataParallelExecutorGroup", "split_batch", "prepare_group2ctxs"]


def split_batch(batch_size, work_load_list):
    """Slices of a batch of ``batch_size`` for contexts with the given work loads (the remainder goes last).

    Examples
    --------
    >>> split_batch(10, [1, 1, 1])
    [slice(0, 3, None), slice(3, 6, None), slice(6, 10, None)]
    """
    total = float(sum(work_load_list))
    sizes = [round(w * batch_size / total) for w in work_load_list]
    sizes[-1] += batch_size - sum(sizes)
    slices, end = [], 0
    for size in sizes:
        if size <= 0:
            raise MXNetError(f"Module: a batch of {batch_size} cannot be split over {len(work_load_list)} "
                             f"contexts with work loads {work_load_list}")
        slices.append(slice(end, end + size))
        end += size
    return slices


def prepare_group2ctxs(group2ctxs, ctx_len):
    """One ``{group: context}`` (or None) per device from Module's ``group2ctxs``: a list of dicts (one per
    device), or a dict whose values are a context (every device), a one-context list, or one per device.

    Examples
    --------
    >>> import ssdkit as mx
    >>> prepare_group2ctxs({'dev1': mx.cpu(2), 'dev2': [mx.cpu(3), mx.cpu(4)]}, 2)
    [{'dev1': cpu(2), 'dev2': cpu(3)}, {'dev1': cpu(2), 'dev2': cpu(4)}]
    """
    if group2ctxs is None:
        return [None] * ctx_len
    if isinstance(group2ctxs, list):
        if len(group2ctxs) != ctx_len:
            raise MXNetError(f"Module: group2ctxs has {len(group2ctxs)} entries for {ctx_len} contexts")
        return group2ctxs
    if not isinstance(group2ctxs, dict):
        raise MXNetError("Module: group2ctxs must be a list of dicts of str to context, or a dict of str to a "
                         f"context or a list of contexts; got {type(group2ctxs).__name__}")
    per_device = [{} for _ in range(ctx_len)]
    for group, ctxs in group2ctxs.items():
        ctxs = list(ctxs) if isinstance(ctxs, (list, tuple)) else [ctxs]
        if len(ctxs) == 1:
            ctxs = ctxs * ctx_len
        if len(ctxs) != ctx_len:
            raise MXNetError(f"Module: group2ctxs[{group!r}] has {len(ctxs)} contexts; give 1 or {ctx_len}")
        for device, ctx in zip(per_device, ctxs):
            device[group] = ctx
    return per_device


def _slice_axis(array, axis, islice):
    data = array._data if isinstance(array, NDArray) else np.asarray(array)
    index = [slice(None)] * data.ndim
    index[axis] = islice
    return data[tuple(index)]


class DataParallelExecutorGroup:
    """The executors of one Module: ``execs`` (one per context) and ``slices`` of the batch they run.

    ``grad_req`` is MXNet's: parameters ``write`` (or the given request) when training and not fixed, data
    ``write`` only with ``inputs_need_grad``, labels and everything at inference ``null``.
    """

    def __init__(self, symbol, contexts, workload, data_shapes, label_shapes, param_names, for_training,
                 inputs_need_grad, shared_group=None, logger=None, fixed_param_names=None, grad_req="write",
                 state_names=None, group2ctxs=None):
        self.symbol, self.contexts, self.workload = symbol, list(contexts), list(workload)
        self.param_names, self.fixed_param_names = list(param_names), list(fixed_param_names or ())
        self.for_training, self.inputs_need_grad = for_training, inputs_need_grad
        self.state_names = list(state_names or ())
        self.group2ctxs = prepare_group2ctxs(group2ctxs, len(self.contexts))
        # per context, the input arrays (data, labels, other non-parameter arguments) shared with the groups
        # bound against this one (MXNet's shared_data_arrays)
        self.shared_data_arrays = [{} for _ in self.contexts] if shared_group is None else \
            shared_group.shared_data_arrays
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.output_names = symbol.list_outputs()
        # the batch axis of each output, from its ``__layout__`` attribute (``N`` first when unset)
        self.output_axes = [DataDesc.get_batch_axis(symbol[i].attr("__layout__"))
                            for i in range(len(self.output_names))]
        self._grad_req_given = grad_req
        self.bind_exec(data_shapes, label_shapes, shared_group)

    # ------------------------------------------------------------------ binding
    def _grad_req(self, data_names):
        given = self._grad_req_given
        reqs = {}
        for name in self.arg_names:
            if not self.for_training:
                reqs[name] = "null"
            elif name in self.param_names:
                default = given.get(name, "write") if isinstance(given, dict) else given
                reqs[name] = "null" if name in self.fixed_param_names else default
            elif name in data_names:
                reqs[name] = "write" if self.inputs_need_grad else "null"
            else:
                reqs[name] = "null"
        return reqs

    def bind_exec(self, data_shapes, label_shapes, shared_group=None, reshape=False):
        """Bind (or, with ``reshape``, re-bind sharing parameters) an executor per context."""
        self.data_shapes = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in data_shapes]
        self.label_shapes = None if label_shapes is None else \
            [d if isinstance(d, DataDesc) else DataDesc(*d) for d in label_shapes]
        self.data_names = [d.name for d in self.data_shapes]
        self.label_names = [d.name for d in self.label_shapes] if self.label_shapes else []
        axes = [DataDesc.get_batch_axis(getattr(d, "layout", "NCHW")) for d in self.data_shapes]
        self.batch_size = self.data_shapes[0].shape[axes[0]]
        self.slices = split_batch(self.batch_size, self.workload)
        reqs = self._grad_req(self.data_names)
        self.grad_req = reqs
        old = getattr(self, "execs", None) if reshape else None
        execs = []
        for k, ctx in enumerate(self.contexts):
            shapes = {}
            for desc in self.data_shapes + (self.label_shapes or []):
                if desc.name not in self.arg_names:
                    continue
                shape = list(desc.shape)
                axis = DataDesc.get_batch_axis(getattr(desc, "layout", "NCHW"))
                islice = self.slices[k]
                shape[axis] = islice.stop - islice.start
                shapes[desc.name] = tuple(shape)
            if old is not None:   # same graph, new input shapes: parameters keep their arrays
                ex = old[k].reshape(partial_shaping=True, allow_up_sizing=True, **shapes)
            else:
                types = {d.name: d.dtype for d in self.data_shapes + (self.label_shapes or [])
                         if d.name in self.arg_names}
                ex = self.symbol.simple_bind(ctx, grad_req=reqs, type_dict=types, group2ctx=self.group2ctxs[k],
                                             shared_arg_names=self.param_names,
                                             shared_buffer=self.shared_data_arrays[k], **shapes)
                if shared_group is not None:
                    _share_params(ex, shared_group.execs[k], self.param_names, self.aux_names)
            execs.append(ex)
        self.execs = execs

    def reshape(self, data_shapes, label_shapes):
        """Re-bind for new input shapes, keeping the parameter arrays."""
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    # ------------------------------------------------------------------ parameters
    def set_params(self, arg_params, aux_params, allow_extra=False):
        """Copy ``arg_params`` / ``aux_params`` into every executor."""
        for ex in self.execs:
            ex.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params, aux_params):
        """Write the parameters, averaged over the contexts, into the given dicts' arrays."""
        for name in self.param_names:
            value = sum(ex.arg_dict[name]._data for ex in self.execs) / len(self.execs)
            arg_params[name]._data[...] = value
        for name in self.aux_names:
            value = sum(ex.aux_dict[name]._data for ex in self.execs) / len(self.execs)
            aux_params[name]._data[...] = value

    # ------------------------------------------------------------------ running
    def forward(self, data_batch, is_train=None):
        """Copy this batch's slices into each executor and run it (``is_train`` defaults to ``for_training``)."""
        if is_train is None:
            is_train = self.for_training
        feeds = [(self.data_shapes, data_batch.data)]
        if self.label_shapes and data_batch.label is not None:
            feeds.append((self.label_shapes, data_batch.label))
        for k, ex in enumerate(self.execs):
            for descs, arrays in feeds:
                for desc, array in zip(descs, arrays):
                    if desc.name not in ex.arg_dict:
                        continue
                    axis = DataDesc.get_batch_axis(getattr(desc, "layout", "NCHW"))
                    part = _slice_axis(array, axis, self.slices[k]) if len(self.execs) > 1 else \
                        (array._data if isinstance(array, NDArray) else np.asarray(array))
                    target = ex.arg_dict[desc.name]
                    if part.shape != target.shape:
                        raise MXNetError(f"Module.forward: {desc.name} has shape {part.shape} on context {k}, "
                                         f"bound with {target.shape}")
                    target._data[...] = part
            ex.forward(is_train=is_train)

    def backward(self, out_grads=None):
        """Backward of every executor; ``out_grads`` are split along the batch like the data."""
        if not self.for_training:
            raise MXNetError("Module.backward: the module was bound with for_training=False")
        for k, ex in enumerate(self.execs):
            grads = None
            if out_grads is not None:
                grads = [NDArray(_slice_axis(g, axis, self.slices[k]).copy(), ex._ctx) if len(self.execs) > 1 else g
                         for g, axis in zip(out_grads, self.output_axes)]
            ex.backward(out_grads=grads)

    def _merge(self, per_exec, merge, axes):
        if not merge:
            return [list(values) for values in zip(*per_exec)]
        if len(self.execs) == 1:
            return list(per_exec[0])
        return [concat(*values, dim=axis) for values, axis in zip(zip(*per_exec), axes)]

    def get_outputs(self, merge_multi_context=True):
        """Outputs of the last forward: merged over contexts, or one list per output of per-context arrays."""
        return self._merge([ex.outputs for ex in self.execs], merge_multi_context, self.output_axes)

    def get_input_grads(self, merge_multi_context=True):
        """Gradients of the data inputs (needs ``inputs_need_grad=True`` at bind)."""
        if not self.inputs_need_grad:
            raise MXNetError("Module.get_input_grads: bind with inputs_need_grad=True first")
        return self._merge([[ex.grad_dict[n] for n in self.data_names] for ex in self.execs],
                           merge_multi_context, [DataDesc.get_batch_axis(d.layout) for d in self.data_shapes])

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Update ``eval_metric`` with each context's outputs and its slice of ``labels``."""
        for k, ex in enumerate(self.execs):
            if pre_sliced:
                part = labels[k]
            elif len(self.execs) == 1:
                part = labels
            else:
                axes = [DataDesc.get_batch_axis(d.layout) for d in self.label_shapes or []] or [0] * len(labels)
                part = [NDArray(_slice_axis(label, axis, self.slices[k]).copy()) for label, axis in zip(labels, axes)]
            eval_metric.update_dict(OrderedDict(zip(self.label_names, part)),
                                    OrderedDict(zip(self.output_names, ex.outputs)))

    def install_monitor(self, monitor):
        """Attach a :class:`~ssdkit.monitor.Monitor` to every executor."""
        for ex in self.execs:
            monitor.install(ex)

    @property
    def grad_arrays(self):
        """``[[grad on context 0, grad on context 1, ...] per parameter]`` (None where no gradient)."""
        return [[ex.grad_dict.get(name) for ex in self.execs] for name in self.param_names]

    @property
    def param_arrays(self):
        """``[[array on context 0, ...] per parameter]``."""
        return [[ex.arg_dict[name] for ex in self.execs] for name in self.param_names]


def _share_params(ex, shared, param_names, aux_names):
    """Make ``ex`` use ``shared``'s parameter, gradient and auxiliary arrays (another bucket's executor)."""
    for name in param_names:
        if name in shared.arg_dict and name in ex.arg_dict:
            if shared.arg_dict[name].shape != ex.arg_dict[name].shape:
                raise MXNetError(f"Module.bind: shared parameter {name} has shape {shared.arg_dict[name].shape} "
                                 f"in the shared module, {ex.arg_dict[name].shape} here")
            ex.arg_dict[name] = shared.arg_dict[name]
            if name in ex.grad_dict and name in shared.grad_dict:
                ex.grad_dict[name] = shared.grad_dict[name]
    for name in aux_names:
        if name in shared.aux_dict and name in ex.aux_dict:
            ex.aux_dict[name] = shared.aux_dict[name]


def zeros_like_params(group):
    """New zero arrays of each parameter's and auxiliary state's shape and dtype."""
    ex = group.execs[0]
    return ({n: zeros(ex.arg_dict[n].shape, dtype=ex.arg_dict[n].dtype) for n in group.param_names},
            {n: zeros(ex.aux_dict[n].shape, dtype=ex.aux_dict[n].dtype) for n in group.aux_names})
