"""Help-search concepts of training (see :mod:`ssdkit.help.concepts`).

Covers losses, autograd, Trainer, optimizers, schedulers, metrics, distributed, testing.

Examples
--------
>>> any("Trainer" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

CONCEPTS = (
    ("gluon.loss.SoftmaxCrossEntropyLoss",
     "cross entropy loss | crossentropyloss | classification loss | softmax loss | nll loss"),
    ("gluon.loss.SigmoidBinaryCrossEntropyLoss",
     "binary cross entropy | bcewithlogitsloss | sigmoid loss | multi label loss"),
    ("gluon.loss.L2Loss metric.MSE", "mean squared error | mse loss | l2 loss | regression loss"),
    ("gluon.loss.L1Loss metric.MAE", "mean absolute error | l1 loss | mae"),
    ("gluon.loss.HuberLoss nd.smooth_l1", "smooth l1 loss | huber loss | box regression loss | smoothl1loss | robust regression loss | loss robust to "
     "outliers"),
    ("profiler profiler.set_state profiler.dumps",
     "profile a training step | profiler | which op is slow | where does the time go | time per operator | "
     "find the bottleneck | torch.profiler | operator timings | slow training step"),
    ("profiler.dump", "chrome trace | chrome://tracing | timeline of operators | trace file"),
    # --- autograd ------------------------------------------------------------------------------------------
    ("autograd.record", "record operations | track gradients | enable grad | tape | autograd.record | "
                        "compute gradients of a forward pass"),
    ("autograd.pause", "torch.no_grad | stop recording | temporarily stop recording | pause recording | "
     "suspend recording inside record | part of record not recorded | disable gradient tracking | no grad | "
     "inference mode | "
                       "turn off gradients | gradients off while evaluating | tf.stop_gradient scope"),
    ("autograd.backward nd.NDArray.backward",
     "loss.backward() | .backward | compute gradients | backpropagation | backprop"),
    ("autograd.grad", "torch.autograd.grad | gradient of output with respect to input | higher order gradient"),
    ("nd.NDArray.attach_grad", "requires_grad | attach gradient buffer | requires_grad_ | enable gradient for array"),
    ("nd.NDArray.grad", "read gradient | .grad of array"),
    ("autograd.predict_mode autograd.train_mode",
     "model.eval() | model.train() | eval mode | train mode | dropout and batchnorm behaviour | inference behaviour"),
    ("autograd.train_mode", "training mode without recording | train mode scope | dropout active but no graph"),
    ("nd.NDArray.detach nd.BlockGrad", ".detach() | detach from graph | stop gradient"),
    # --- training ------------------------------------------------------------------------------------------
    ("gluon.Trainer.step gluon.Trainer",
     "optimizer.step | update weights | apply gradients | training step | update parameters"),
    ("gluon.Trainer",
     "optimizer | torch.optim | trainer | model.fit | fit the model | training loop | train the network"),
    ("gluon.Trainer.set_learning_rate gluon.Trainer.learning_rate",
     "change the learning rate | set learning rate | adjust lr during training"),
    ("gluon.Trainer.save_states gluon.Trainer.load_states",
     "save optimizer state | resume training | momentum buffers"),
    ("gluon.Trainer.save_states", "save the trainer state | trainer state to a file | write optimizer states to disk"),
    ("gluon.Trainer.load_states", "restore the trainer state | load optimizer states from a file | "
     "read the trainer state back"),
    ("lr_scheduler.FactorScheduler lr_scheduler.MultiFactorScheduler",
     "learning rate decay | step lr | steplr | decay lr every n steps | lr schedule | exponentiallr"),
    ("lr_scheduler.MultiFactorScheduler",
     "multisteplr | decay the learning rate at given epochs | milestones | lr steps"),
    ("lr_scheduler.CosineScheduler", "cosine annealing | cosine learning rate | cosineannealinglr"),
    ("lr_scheduler.PolyScheduler", "polynomial decay | poly learning rate"),
    ("lr_scheduler.LRScheduler", "warmup | learning rate warm up | linear warmup"),
    ("optimizer.Adam", "adam optimizer | adaptive moment estimation"),
    ("optimizer.SGD optimizer.NAG", "sgd with momentum | stochastic gradient descent | weight decay"),
    ("gluon.utils.clip_global_norm",
     "gradient clipping | clip_grad_norm_ | clip gradients by norm | exploding gradients"),
    ("gluon.utils.split_and_load",
     "split batch across gpus | multi gpu | data parallel | dataparallel | split data over devices"),
    ("metric.Accuracy", "accuracy metric | classification accuracy"),
    ("metric.TopKAccuracy", "top 5 accuracy | top k accuracy"),
    ("metric.Loss", "average loss metric | running loss"),
    ("random.seed", "random seed | reproducible | manual_seed | torch.manual_seed | set seed | np.random.seed"),
    # --- more of the API, in the words of PyTorch, Keras, TF and MXNet users ---
    ("gluon.loss.KLDivLoss",
     "kl divergence | kldivloss | kullback leibler | distillation loss | divergence between distributions"),
    ("gluon.loss.HingeLoss gluon.loss.SquaredHingeLoss", "hinge loss | svm loss | margin loss"),
    ("gluon.loss.SquaredHingeLoss", "squared hinge loss"),
    ("gluon.loss.LogisticLoss",
     "logistic loss | logistic regression loss | log loss for labels -1 and 1 | softplus loss"),
    ("gluon.loss.TripletLoss",
     "triplet loss | triplet margin loss | metric learning | anchor positive negative | embedding loss"),
    ("gluon.loss.PoissonNLLLoss", "poisson negative log likelihood | poissonnllloss | count regression loss"),
    ("gluon.loss.Loss", "custom loss | loss base class | sample weight | write my own loss"),
    ("gluon.loss.L2Loss", "nn.mseloss | keras meansquarederror | squared loss | mean squared error loss"),
    ("gluon.loss.L1Loss", "nn.l1loss | absolute error loss | keras meanabsoluteerror"),
    ("gluon.loss.SoftmaxCrossEntropyLoss",
     "nn.crossentropyloss | sparse categorical crossentropy | categorical crossentropy | multi class loss | "
     "label smoothing | log loss | loss for one of many classes"),
    ("gluon.loss.SigmoidBinaryCrossEntropyLoss", "nn.bceloss | binary crossentropy | two class loss | logits loss"),
    ("autograd.is_recording", "is recording | torch.is_grad_enabled | is autograd on | "
     "is autograd recording now | currently recording"),
    ("autograd.is_training", "is training | model.training | training flag | am i in training mode | "
     "check the current mode"),
    ("autograd.set_recording autograd.set_training", "turn recording on or off | set training flag"),
    ("autograd.mark_variables", "mark variables | attach gradients to several arrays | gradient buffers for inputs"),
    ("autograd.Function",
     "custom autograd function | torch.autograd.function | custom op | customop | custom backward | "
     "custom gradient | tf.custom_gradient | mx.operator.customop | define my own gradient | new operator"),
    ("autograd.Function.save_for_backward", "ctx.save_for_backward | keep tensors for backward"),
    ("autograd.record", "record computation | record forward pass | autograd scope | with autograd.record() | "
                        "gradient tape | tf.gradienttape"),
    ("autograd.backward autograd.grad", "retain graph | retain_graph | create_graph"),
    ("gluon.Trainer.update", "apply update without allreduce | update after gradient accumulation | ignore_stale_grad"),
    ("gluon.Trainer.allreduce_grads", "allreduce gradients | sum gradients across devices | gradient synchronization"),
    ("gluon.Trainer.optimizer", "optimizer of the trainer | access the optimizer object"),
    ("optimizer.RMSProp", "rmsprop | torch.optim.rmsprop | root mean square propagation"),
    ("optimizer.AdaGrad", "adagrad | adaptive gradient"),
    ("optimizer.AdaDelta", "adadelta"),
    ("optimizer.NAG", "nesterov | nesterov momentum | nag"),
    ("optimizer.SGD", "torch.optim.sgd | plain sgd | momentum"),
    ("optimizer.Adam", "torch.optim.adam | adamw | adaptive learning rate"),
    ("optimizer.Optimizer", "custom optimizer | optimizer base class | write my own optimizer"),
    ("optimizer.LARS", "lars | layer-wise adaptive rate scaling | large batch sgd with per layer learning rate"),
    ("optimizer.LAMB", "lamb | layer-wise adaptive moments | bert optimizer | large batch adam"),
    ("nd.sgd_update nd.sgd_mom_update nd.adam_update nd.multi_sgd_mom_update",
     "optimizer update operator | apply one sgd step to an array in place | fused optimizer kernel | "
     "multi tensor update"),
    ("gluon.contrib.estimator.Estimator gluon.contrib.estimator.Estimator.fit",
     "estimator | fit loop | keras fit | training loop with callbacks | pytorch lightning trainer"),
    ("gluon.contrib.estimator.EarlyStoppingHandler", "early stopping | stop when validation stops improving | patience"),
    ("gluon.contrib.estimator.CheckpointHandler",
     "save checkpoints every epoch | keep best model | resume training from checkpoint | modelcheckpoint"),
    ("gluon.Trainer kv.create", "update_on_kvstore | kvstore device | sum gradients of several gpus in the trainer"),
    ("optimizer.Optimizer.set_lr_mult",
     "per parameter learning rate | learning rate multiplier | lr_mult | different lr for some weights"),
    ("optimizer.Optimizer.set_wd_mult",
     "no weight decay on bias | exclude bias from weight decay | per parameter weight decay | wd_mult | "
     "weight decay multiplier"),
    ("optimizer.create optimizer.Optimizer.create_optimizer",
     "optimizer by name | create optimizer from a string | optimizer factory"),
    ("optimizer.register optimizer.Optimizer.register", "register a custom optimizer"),
    ("optimizer.Updater optimizer.get_updater", "updater | apply an optimizer to arrays | get_updater"),
    ("optimizer.Updater.get_states optimizer.Updater.set_states gluon.Trainer.save_states",
     "optimizer state dict | optimizer.state_dict | serialize optimizer states"),
    ("optimizer.Optimizer.create_state", "optimizer state of a weight | momentum buffer | adam moments"),
    ("optimizer.Optimizer.update_multi_precision optimizer.Optimizer.create_state_multi_precision",
     "fp16 master weights | multi_precision | float32 copy of weights | optimizer mixed precision"),
    ("optimizer.Optimizer.learning_rate gluon.Trainer.learning_rate",
     "current learning rate | get the learning rate | read lr"),
    ("lr_scheduler.PolyScheduler", "polynomial lr | poly schedule | polynomiallr"),
    ("lr_scheduler.LRScheduler lr_scheduler.LRScheduler.get_warmup_lr",
     "warmup | increase the learning rate gradually at the start | ramp up lr | base learning rate scheduler | "
     "custom scheduler | lambdalr | warmup_steps | gradual warmup"),
    ("lr_scheduler.FactorScheduler",
     "exponential decay | multiply lr by factor | gamma | reducelronplateau | step decay | "
     "reduce the learning rate over time | lower the lr during training"),
    ("lr_scheduler.CosineScheduler", "cosine decay | cosine schedule | sgdr"),
    ("metric.RMSE", "root mean squared error | rmse"),
    ("metric.MSE", "mean squared error metric | mse metric"),
    ("metric.MAE", "mean absolute error metric | mae metric"),
    ("metric.CrossEntropy", "log loss metric | cross entropy metric | negative log likelihood metric | perplexity"),
    ("metric.CompositeEvalMetric",
     "combine metrics | track several metrics together | accuracy and loss together | several metrics at once | "
     "metric list | composite metric"),
    ("metric.CustomMetric", "custom metric | metric from a function | metric from numpy function | f1 score"),
    ("metric.EvalMetric", "metric base class | write my own metric | evaluation metric"),
    ("metric.EvalMetric.reset metric.CompositeEvalMetric.reset", "reset metric | clear metric state | new epoch"),
    ("metric.EvalMetric.get metric.EvalMetric.get_name_value",
     "metric value | metric result | compute the metric | read accuracy | name and value"),
    ("metric.EvalMetric.update", "update metric with labels and predictions | accumulate metric"),
    ("metric.create metric.register", "metric by name | create metric from a string"),
    ("metric.Accuracy", "accuracy | correct predictions ratio | keras accuracy"),
    ("metric.TopKAccuracy", "topk accuracy | top 1 top 5 error"),
    ("metric.Loss", "loss metric | track mean loss | print the running loss | log the loss every batch"),
    ("gluon.Trainer.load_states gluon.Block.load_parameters",
     "continue training where it stopped | resume training from a checkpoint | pick up training again | "
     "restart training from saved weights and optimizer state | train.py --resume"),
    ("gluon.utils.clip_global_norm gluon.HybridBlock.register_op_hook",
     "my loss is nan | loss becomes nan | loss explodes | gradients explode | nan in training | "
     "find which op makes nan | skip nan batches | --skip-nan-batches | divergence"),
    ("metric.F1 metric.MCC", "f1 score | precision and recall | matthews correlation | binary classification "
     "metric | sklearn f1_score"),
    ("metric.Perplexity metric.NegativeLogLikelihood", "perplexity of a language model | negative log likelihood "
     "metric | nll metric"),
    ("metric.PearsonCorrelation metric.PCC", "pearson correlation | correlation coefficient metric | pearsonr | "
     "multiclass correlation from confusion matrix"),
    ("kv.create kv.KVStore",
     "key value store | kvstore | parameter server | aggregate gradients across devices | sum gradients of "
     "several devices | dist_sync"),
    ("kv.KVStore.pushpull kv.KVStore.push kv.KVStore.pull",
     "push and pull | pushpull | push gradients then pull the sum | "
     "send values to the store and read back the aggregate | sum across devices through the kvstore | "
     "kvstore allreduce"),
    ("kv.KVStore.set_optimizer",
     "kvstore optimizer | store applies the optimizer | update on push | server side update | "
     "optimizer on the parameter server | set_optimizer"),
    ("kv.KVStore.set_gradient_compression",
     "gradient compression | 2bit compression | compress gradients | quantize gradients before sending | "
     "compression threshold"),
    ("distributed.init distributed.setup",
     "init_process_group | horovod init | hvd.init | start distributed training | initialize distributed"),
    ("distributed.shutdown", "destroy_process_group | stop distributed | shutdown workers"),
    ("distributed.rank", "rank of this process | worker id | hvd.rank | get_rank | process index"),
    ("distributed.size", "world size | number of workers | hvd.size | get_world_size | number of processes"),
    ("distributed.local_rank", "local rank | gpu index on this machine | hvd.local_rank"),
    ("distributed.local_size", "local size | processes on this machine"),
    ("distributed.barrier", "barrier | synchronize all processes | wait for all workers"),
    ("distributed.allreduce distributed.allreduce_",
     "allreduce | sum across workers | average across processes | all_reduce | hvd.allreduce"),
    ("distributed.broadcast distributed.broadcast_", "broadcast from root | send array to all workers"),
    ("distributed.broadcast_parameters",
     "broadcast parameters from rank 0 | hvd.broadcast_parameters | sync initial weights across workers"),
    ("distributed.DistributedTrainer distributed.prepare_trainer",
     "distributed trainer | hvd.distributedoptimizer | distributeddataparallel | ddp | multi worker training | "
     "data parallel across machines"),
    ("distributed.DistributedSampler", "distributed sampler | shard data per worker | distributedsampler"),
    ("distributed.shard_indices distributed.shard_size", "indices of this worker's shard | shard size"),
    ("distributed.local_batch_size", "per worker batch size | split global batch size"),
    ("distributed.is_root distributed.Job.is_root", "is master process | rank zero only | only on root"),
    ("gluon.utils.check_sha1", "sha1 checksum | verify a download | file hash"),
    ("gluon.utils.HookHandle.detach", "remove a hook | handle.remove() | unregister hook"),
    ("test_utils.check_op_gradient test_utils.numeric_directional_derivative",
     "gradient check | gradcheck | numerical gradient | finite differences | check backward"),
    ("test_utils.assert_almost_equal",
     "assert close | allclose | assert_allclose | torch.testing | compare arrays with tolerance"),
    ("test_utils.same", "arrays exactly equal | array_equal"),
    ("test_utils.check_numeric_gradient test_utils.check_symbolic_backward test_utils.check_symbolic_forward",
     "check a symbol's gradient numerically | check symbol forward against numpy | check symbolic backward"),
    ("test_utils.environment", "set environment variables in a test | with environment | temporary env var"),
    ("test_utils.rand_ndarray test_utils.rand_shape_nd test_utils.random_arrays",
     "random test array | random shape for a test"),
    ("test_utils.default_context test_utils.set_default_context", "default context of tests | test device"),
    ("operator.CustomOp operator.CustomOpProp operator.register",
     "mx.operator.customop | customopprop | custom operator written in python | register a custom op | "
     "python operator with forward and backward in a symbol"),
    ("operator.register", "register a custom operator | register a customopprop under a name | "
     "@mx.operator.register | name my python operator"),
    ("kv.KVStore.init kv.KVStore.broadcast",
     "initialize keys in the kvstore | kvstore init | broadcast initial values from the kvstore | kvstore broadcast"),
    ("nd.Custom sym.Custom",
     "nd.custom | sym.custom | call a custom op | run a custom operator by its op_type | op_type | "
     "use my custom operator | invoke a python operator by name"),
    ("contrib.amp.init contrib.amp.init_trainer contrib.amp.scale_loss contrib.amp.unscale",
     "automatic mixed precision | amp | amp.init | float16 training with loss scaling | loss scaling | "
     "dynamic loss scale | scale the loss | torch.cuda.amp | gradscaler"),
    ("mxnet_alias.alias_mxnet run",
     "import mxnet | make import mxnet use ssdkit | alias mxnet | run an mxnet script unchanged | "
     "run gluoncv on ssdkit | mxnet shim | python -m ssdkit.run"),
    ("gluon.contrib.nn.SyncBatchNorm nd.contrib.SyncBatchNorm",
     "synchronized batch norm | sync bn | syncbatchnorm | batch norm across gpus or processes | cross-gpu bn"),
    ("gluon.contrib.nn.HybridConcurrent gluon.contrib.nn.Concurrent",
     "run blocks in parallel and concatenate | concurrent branches | inception branches | concat outputs of blocks"),
    ("gluon.contrib.nn.PixelShuffle2D gluon.contrib.nn.PixelShuffle1D gluon.contrib.nn.PixelShuffle3D",
     "pixel shuffle | sub-pixel convolution upsampling | depth to space | nn.pixelshuffle"),
    ("runtime.Features runtime.Features.is_enabled", "is cuda enabled | compile time features | build features | "
                                                       "mx.runtime.features | check if mkldnn is available"),
    ("nd.contrib.bipartite_matching", "bipartite matching | greedy matching of a score matrix | match anchors to "
                                      "ground truth greedily"),
    ("contrib.autograd.train_section contrib.autograd.grad_and_loss",
     "old autograd api | train_section | mx.contrib.autograd | compute_gradient"),
    ("base.ShapeError", "shape mismatch error | wrong shape exception"),
    ("base.check_ndim base.check_equal", "check number of dimensions | validate shapes"),
    ("base.get_rng base.seed_rng", "random generator | numpy generator of ssdkit"),
    ("base.atomic_write", "atomic write | write file safely"),
    ("autograd.Function.forward autograd.Function.backward autograd.Function",
     "forward and backward of a custom function | gradient formula of my op"),
    ("autograd.Node autograd.record_node", "node of the tape | record a custom node on the tape"),
    ("optimizer.Optimizer.set_learning_rate gluon.Trainer.set_learning_rate", "set the optimizer learning rate"),
    ("optimizer.Optimizer.update optimizer.Updater", "update one weight with its gradient | optimizer update rule"),
    ("metric.EvalMetric.get_global metric.EvalMetric.reset_local metric.EvalMetric.get_global_name_value",
     "global metric since the start | local metric since last reset"),
    ("metric.check_label_shapes", "check label and prediction shapes"),
    ("metric.CompositeEvalMetric.add", "add a metric to a composite metric"),
    ("metric.EvalMetric.get_config metric.EvalMetric", "metric configuration"),
    ("distributed.is_initialized", "is distributed initialized | is horovod running | has distributed been set up | "
     "was init called"),
    ("distributed.DistributedSampler.set_epoch", "set epoch of the sampler | sampler.set_epoch | reshuffle per epoch"),
    ("distributed.Job distributed.Job.iter_shard", "distributed job | iterate over this worker's shard"),
    ("gluon.loss", "all losses | list of loss functions | available losses | loss module"),
    ("optimizer", "all optimizers | available optimizers | list of optimizers"),
    ("lr_scheduler", "all learning rate schedulers | available schedules"),
    ("metric", "all metrics | available metrics | list of metrics"),
    ("distributed", "distributed module | multi machine training"),
    ("module.Module module.BaseModule module.BaseModule.fit",
     "module api | mx.mod.module | symbolic training loop | module fit | train a symbol | bind symbol and train | "
     "legacy mxnet 1.x training | data parallel over contexts"),
    ("module.Module.save_checkpoint module.Module.load model.save_checkpoint model.load_checkpoint",
     "save checkpoint | load checkpoint | prefix-symbol.json and params | resume module training | "
     "save optimizer states"),
    ("callback.Speedometer callback.do_checkpoint callback.module_checkpoint callback.log_train_metric "
     "callback.ProgressBar",
     "training callback | speedometer | samples per second | batch end callback | epoch end callback | "
     "checkpoint every epoch | progress bar"),
    ("sym.SoftmaxOutput sym.LinearRegressionOutput sym.LogisticRegressionOutput sym.MAERegressionOutput",
     "softmax output | loss head | softmaxoutput | linear regression output | logistic regression output | "
     "mae regression output | softmax cross entropy head for module"),
)
