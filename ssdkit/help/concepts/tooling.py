"""Help-search concepts of MXNet 1.x's tooling (see :mod:`ssdkit.help.concepts`).

Covers what older MXNet code and its tests lean on: the profiler's domains, tasks, frames, counters and
markers; the Module API and its checkpoints; executors and monitors; mx.io iterators; RecordIO files;
test helpers; key-value stores and custom operators.

Examples
--------
>>> any("profiler.Counter" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

CONCEPTS = (
    # --- profiler ------------------------------------------------------------------------------------------
    ("profiler.set_config profiler.set_state profiler.dump profiler.dumps",
     "profile which operators take the most time | time spent per op | operator timing table | "
     "profile my model | start and stop the profiler | profiler output file"),
    ("profiler.set_config", "configure the profiler | profile_all | profile_symbolic | aggregate_stats | "
     "profiler filename | what the profiler records"),
    ("profiler.pause profiler.resume", "pause the profiler | resume profiling | skip part of the run in the profile"),
    ("profiler.Task profiler.Frame profiler.Event profiler.Domain.new_task profiler.Domain.new_frame",
     "time a region of my code | named region in the profile | custom span in the trace | user defined range | "
     "nvtx range | record_function | profile a block of python code | annotate the timeline"),
    ("profiler.Marker profiler.Marker.mark profiler.Domain.new_marker",
     "mark a moment in the trace | instant event | marker in the timeline | put a flag in the profile"),
    ("profiler.Counter profiler.Domain.new_counter profiler.Counter.increment profiler.Counter.set_value",
     "track a value over time in the profiler | my own counter in the trace | count events in the profile | "
     "plot a number in chrome tracing"),
    ("profiler.Domain", "group of profiler events | category in the trace | profiler domain"),
    # --- module / model / callback -------------------------------------------------------------------------
    ("module.BaseModule.predict module.BaseModule.iter_predict",
     "predict with a module | run inference over a data iterator | outputs for a whole dataset | "
     "module forward over an iterator | batch prediction with mx.mod"),
    ("module.BaseModule.score", "score a module on validation data | evaluate a module | accuracy of a module on "
     "an iterator"),
    ("model.load_checkpoint module.Module.load model.load_params",
     "load model from prefix and epoch | prefix and epoch number | load symbol and params of an epoch | "
     "load_checkpoint | read prefix-0010.params"),
    ("model.save_checkpoint module.Module.save_checkpoint",
     "save symbol and parameters for an epoch | write prefix-symbol.json and prefix-epoch.params"),
    ("module.Module.get_params module.BaseModule.set_params module.Module.init_params",
     "get the weights of a module | copy parameters out of a module | set module weights | arg_params aux_params"),
    ("module.Module.bind module.Module.init_optimizer",
     "bind a module to data shapes | allocate a module | set up the optimizer of a module"),
    ("module.Module.forward module.Module.backward module.Module.update module.BaseModule.forward_backward",
     "module training step by hand | forward backward update with a module | manual module loop"),
    ("module.Module.get_outputs", "outputs of the module's last forward | read module outputs"),
    ("module.Module.get_input_grads", "gradient with respect to the module input | input gradient of a module | "
     "inputs_need_grad"),
    ("module.BucketingModule module.BucketingModule.switch_bucket",
     "bucketing | variable length sequences grouped by length | one module per sequence length | buckets"),
    ("module.BaseModule.install_monitor module.Module.install_monitor executor.Executor.set_monitor_callback",
     "monitor every operator's output | watch intermediate values during execution | inspect each op output | "
     "debug activations of a symbolic model | statistics of every layer output"),
    ("callback.LogValidationMetricsCallback", "log validation metric every epoch | eval end callback"),
    # --- symbol / executor ---------------------------------------------------------------------------------
    ("sym.Symbol.list_arguments sym.Symbol.list_inputs sym.Symbol.list_auxiliary_states",
     "which inputs does my symbol need | names of the arguments of a symbol | missing argument when binding | "
     "list the variables of a graph | what must i feed the symbol"),
    ("sym.Symbol.list_outputs", "names of the outputs of a symbol | output names of a graph"),
    ("sym.Symbol.get_internals", "all intermediate outputs of a symbol | internal layers of a symbol | "
     "pick an inner layer's output from a symbol"),
    ("sym.Symbol.infer_shape sym.Symbol.infer_shape_partial",
     "shapes of every argument from the input shape | infer weight shapes of a symbol | output shape of a symbol"),
    ("sym.Symbol.infer_type", "dtypes of every argument | infer types of a symbol"),
    ("executor.Executor.forward", "run a bound symbol | executor forward | executor "
     "outputs"),
    ("executor.Executor.backward executor.Executor.grad_arrays",
     "gradients from an executor | backward of a bound symbol | grad arrays of an executor"),
    ("executor.Executor.copy_params_from",
     "set the arguments of an executor | copy weights into a bound symbol | arg dict of an executor"),
    ("executor.Executor.reshape", "rebind an executor for a new input shape | change batch size of an executor"),
    ("executor.Executor.get_optimized_symbol",
     "graph after optimization | common subexpression elimination | MXNET_ELIMINATE_COMMON_EXPR | "
     "which graph does the executor run | duplicate computations merged"),
    # --- io ------------------------------------------------------------------------------------------------
    ("io.PrefetchingIter", "load the next batch in the background | overlap data loading with compute | "
     "prefetch while the model trains | background data thread"),
    ("io.NDArrayIter io.NDArrayIter.hard_reset", "iterate over arrays with shuffle and last batch handling | "
     "roll_over | discard last batch | pad last batch of an iterator"),
    ("io.ImageRecordIter", "read images from a rec file in batches for classification | imagerecorditer | "
     "record file image classification iterator with augmentation"),
    ("io.LibSVMIter", "libsvm format | svmlight file | sparse text data iterator"),
    # --- recordio ------------------------------------------------------------------------------------------
    ("recordio.MXRecordIO recordio.MXIndexedRecordIO recordio.MXRecordIO.write",
     "store many small records in one binary file | pack samples into one file | binary record file | "
     "tfrecord | write a .rec file | container of byte strings"),
    ("recordio.MXIndexedRecordIO recordio.MXIndexedRecordIO.read_idx",
     "random access to records | read record number i | .idx index file | indexed record file"),
    ("recordio.pack_img recordio.pack recordio.IRHeader",
     "encode an image with its label into a record | header with label and id | pack label and image bytes"),
    # --- test_utils ----------------------------------------------------------------------------------------
    ("test_utils.chi_square_check test_utils.verify_generator test_utils.gen_buckets_probs_with_ppf",
     "check a random generator against a distribution | statistical test of samples | chi square test | "
     "does my sampler follow the distribution | goodness of fit of random numbers"),
    ("test_utils.retry", "retry a flaky test | rerun a random test | stochastic test retries"),
    ("test_utils.assert_exception", "assert that a call raises | pytest.raises | expect an exception"),
    ("test_utils.check_gluon_hybridize_consistency",
     "hybridized and imperative give the same result | check hybridize consistency | compare outputs across "
     "modes | same result on every context"),
    ("test_utils.default_rtols test_utils.default_atols test_utils.get_tolerance test_utils.get_tols",
     "default tolerance per dtype | rtol and atol for float16 | comparison tolerance"),
    ("test_utils.almost_equal test_utils.assert_almost_equal_ignore_nan test_utils.assert_almost_equal_with_err",
     "compare arrays ignoring nan | np.allclose | tolerate a few mismatching elements"),
    ("test_utils.rand_shape_2d test_utils.rand_shape_3d test_utils.rand_shape_nd",
     "random shape for a test | random 2d shape | random 3d shape"),
    ("test_utils.simple_forward", "run a symbol on numpy inputs once | evaluate a symbol with numpy arrays"),
    ("test_utils.check_consistency",
     "same symbol on several contexts | float16 against float64 results | compare dtypes of one graph | "
     "consistency across devices and precisions"),
    ("test_utils.compare_optimizer", "compare two optimizers | same update from two optimizer implementations"),
    ("test_utils.download", "download a test file | fetch a url in a test"),
    ("test_utils.discard_stderr", "silence stderr | hide error output | suppress stderr"),
    ("test_utils.same_array", "do two arrays share memory | same buffer | view or copy"),
    # --- kvstore -------------------------------------------------------------------------------------------
    ("kv.KVStore.save_optimizer_states kv.KVStore.load_optimizer_states",
     "save the kvstore optimizer state | load optimizer states of the store"),
    ("kv.KVStore.rank kv.KVStore.num_workers", "worker rank of the kvstore | number of workers in the kvstore"),
    ("kv.KVStoreBase kv.KVStoreBase.register", "write my own kvstore | custom key value store | register a store "
     "type"),
    # --- custom operators ----------------------------------------------------------------------------------
    ("operator.CustomOpProp.infer_shape operator.CustomOpProp.list_arguments operator.CustomOpProp.list_outputs",
     "shapes of my custom operator | inputs and outputs of a custom op | customopprop infer_shape"),
    ("operator.CustomOp.assign", "write into out_data respecting req | req write add null | assign output of a "
     "custom op"),
    ("operator.get_all_registered_operators operator.registered_op_types",
     "list every operator | all registered ops | names of the operators | which custom ops are registered"),
)
