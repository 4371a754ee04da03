"""Blind dev query set D for ssdkit-help (fourth writer; may be tuned on). About half the queries cover the newest
areas (mx.np / mx.npx, gluon.rnn, vision transforms and datasets, the vision model zoo and SSD presets, kvstore,
executors, custom operators, contrib, gluon.contrib.nn, Block.usage, ssdkit-docs, test_utils, metrics)."""

QUERIES = [
    # --- mx.np / mx.npx ---
    ("np.einsum('ij,jk->ik')", "np.einsum np.matmul np.dot"),
    ("inverse of a matrix", "np.linalg.inv"),
    ("unique values of an array and their counts", "np.unique"),
    ("what does npx.set_np() do", "npx.set_np util.set_np"),
    ("determinant", "np.linalg.det np.linalg.slogdet"),
    ("grid of x y coordinates from two 1d arrays", "np.meshgrid"),
    ("pick random elements from an array with given probabilities",
     "np.random.choice np.random.multinomial nd.random.multinomial nd.sample_multinomial sym.sample_multinomial "
     "random.multinomial"),
    ("find the nan values", "np.isnan"),
    ("get a python float out of a one-element array",
     "np.ndarray.item np.ndarray.asscalar nd.NDArray.asscalar"),
    ("mask padded timesteps by valid length in npx", "npx.sequence_mask nd.SequenceMask sym.SequenceMask"),
    ("F.conv2d functional convolution on np arrays", "npx.convolution nd.Convolution sym.Convolution"),
    # --- gluon.rnn ---
    ("lstm layer", "gluon.rnn.LSTM gluon.rnn.LSTMCell"),
    ("torch.nn.GRU", "gluon.rnn.GRU"),
    ("run a recurrent cell over a whole sequence, step after step", "gluon.rnn.RecurrentCell.unroll"),
    ("initial zero hidden state for an rnn cell",
     "gluon.rnn.RecurrentCell.begin_state gluon.rnn.BidirectionalCell.begin_state gluon.rnn.ModifierCell.begin_state"),
    ("bidirectional recurrent network reading the sequence both ways",
     "gluon.rnn.BidirectionalCell gluon.rnn.LSTM gluon.rnn.GRU gluon.rnn.RNN"),
    ("zonout cell", "gluon.rnn.ZoneoutCell"),
    # --- vision transforms / nd.image ---
    ("convert HWC uint8 image into CHW float tensor in [0, 1]",
     "gluon.data.vision.transforms.ToTensor nd.image.to_tensor sym.image.to_tensor "
     "detection.data.transforms.image.to_tensor"),
    ("torchvision transforms.Compose", "gluon.data.vision.transforms.Compose"),
    ("normalise images with imagenet mean and std",
     "gluon.data.vision.transforms.Normalize nd.image.normalize sym.image.normalize image.color_normalize "
     "image.ColorNormalizeAug detection.data.transforms.image.normalize"),
    ("RandomResizedCrop", "gluon.data.vision.transforms.RandomResizedCrop image.RandomSizedCropAug image.random_size_crop"),
    ("randomly mirror images left right for augmentation",
     "gluon.data.vision.transforms.RandomFlipLeftRight nd.image.random_flip_left_right "
     "sym.image.random_flip_left_right image.HorizontalFlipAug image.DetHorizontalFlipAug "
     "image.det.DetHorizontalFlipAug detection.data.transforms.image.random_flip"),
    ("colour jitter: brightness contrast saturation hue",
     "gluon.data.vision.transforms.RandomColorJitter nd.image.random_color_jitter sym.image.random_color_jitter "
     "image.ColorJitterAug detection.data.transforms.image.random_color_distort"),
    ("apply an augmentation only some of the time with probability p", "gluon.data.vision.transforms.RandomApply"),
    # --- vision datasets ---
    ("mnist dataset", "gluon.data.vision.MNIST"),
    ("load cifar10", "gluon.data.vision.CIFAR10"),
    ("dataset from a directory of images, one sub-folder per class", "gluon.data.vision.ImageFolderDataset"),
    ("apply a transform to the image but not to the label", "gluon.data.Dataset.transform_first"),
    # --- gluon.model_zoo.vision ---
    ("resnet50 pretrained on imagenet",
     "gluon.model_zoo.vision.resnet50_v1 gluon.model_zoo.vision.resnet50_v2 gluon.model_zoo.vision.get_resnet "
     "gluon.model_zoo.vision.get_model"),
    ("vgg16 with batch normalization", "gluon.model_zoo.vision.vgg16_bn gluon.model_zoo.vision.get_vgg"),
    ("mobilnet v2",
     "gluon.model_zoo.vision.MobileNetV2 gluon.model_zoo.vision.get_mobilenet_v2 "
     "gluon.model_zoo.vision.mobilenet_v2_1_0 gluon.model_zoo.vision.mobilenet_v2_0_75 "
     "gluon.model_zoo.vision.mobilenet_v2_0_5 gluon.model_zoo.vision.mobilenet_v2_0_25"),
    ("which imagenet classification models can I build by name",
     "gluon.model_zoo.vision.get_model_list gluon.model_zoo.vision.get_model"),
    ("where do pretrained weight files go, MXNET_HOME models folder",
     "gluon.model_zoo.model_store.default_root gluon.model_zoo.model_store.get_model_file base.data_dir"),
    # --- SSD presets (model_zoo) ---
    ("ssd_512_resnet50_v1_voc", "model_zoo.get_model"),
    ("densenet 121", "gluon.model_zoo.vision.densenet121 gluon.model_zoo.vision.DenseNet "
     "gluon.model_zoo.vision.get_densenet"),
    ("change the nms threshold of an ssd model for inference", "model_zoo.SSD.set_nms"),
    ("append extra stride 2 stages to a backbone for multi-scale ssd features", "model_zoo.FeatureExpander"),
    # --- kvstore ---
    ("create a kvstore", "kv.create kv.KVStore"),
    ("push gradients from every device and pull back the sum",
     "kv.KVStore.pushpull kv.KVStoreBase.pushpull kv.KVStore.push kv.KVStore.pull"),
    ("let the key value store apply the optimizer on each push",
     "kv.KVStore.set_optimizer kv.KVStoreBase.set_optimizer"),
    ("kvstroe 2bit gradient compresion", "kv.KVStore.set_gradient_compression"),
    # --- Symbol.bind / executor ---
    ("simple_bind", "sym.Symbol.simple_bind executor.simple_bind"),
    ("bind a symbol to ndarrays and run forward",
     "sym.Symbol.bind executor.bind executor.Executor executor.Executor.forward"),
    ("gradient arrays of the arguments after executor backward",
     "executor.Executor.grad_arrays executor.Executor.backward"),
    # --- custom operators ---
    ("how do I write my own operator in python with forward and backward",
     "operator.CustomOp operator.CustomOpProp operator.register autograd.Function"),
    ("call a registered custom op by op_type", "nd.Custom sym.Custom"),
    # --- contrib ---
    ("amp mixed precision loss scaling", "contrib.amp.scale_loss contrib.amp.init_trainer contrib.amp.init contrib.amp.unscale"),
    ("wrap a function so it returns both gradients and loss", "contrib.autograd.grad_and_loss"),
    # --- gluon.contrib.nn ---
    ("synchronized batchnorm across gpus",
     "gluon.contrib.nn.SyncBatchNorm contrib.ndarray.SyncBatchNorm contrib.symbol.SyncBatchNorm "
     "nd.contrib.SyncBatchNorm sym.contrib.SyncBatchNorm"),
    ("run several branches on the same input and concatenate their outputs, inception style",
     "gluon.contrib.nn.HybridConcurrent gluon.contrib.nn.Concurrent"),
    ("depth to space sub-pixel upsampling",
     "gluon.contrib.nn.PixelShuffle2D gluon.contrib.nn.PixelShuffle1D gluon.contrib.nn.PixelShuffle3D"),
    # --- Block.usage ---
    ("I registered some layers but forward never calls them, how do I find which",
     "gluon.Block.usage gluon.usage.block_usage gluon.usage.BlockUsage"),
    ("count the number of parameters in my model",
     "gluon.usage.parameter_count gluon.Block.summary viz.print_summary"),
    # --- ssdkit-docs ---
    ("serve the documentation locally with runnable examples",
     "docserve docserve.DocsServer docserve.DocsServer.serve_forever"),
    # --- test_utils ---
    ("assert two arrays are almost equal in a unit test",
     "test_utils.assert_almost_equal test_utils.assert_allclose test_utils.almost_equal"),
    ("finite difference gradient check",
     "test_utils.check_numeric_gradient test_utils.check_op_gradient test_utils.check_directional "
     "test_utils.numeric_directional_derivative"),
    # --- metrics ---
    ("top-5 accuracy", "metric.TopKAccuracy"),
    ("combine several metrics into one", "metric.CompositeEvalMetric metric.CompositeEvalMetric.add"),
    ("voc2007 11 point mAP", "metric.VOC07MApMetric metric.voc07_ap"),

    # --- nd ops ---
    ("torch.gather values along an axis by index",
     "nd.pick nd.take sym.pick sym.take npx.pick np.take nd.NDArray.pick nd.NDArray.take nd.choose_element_0index"),
    ("cumulative sum", "nd.cumsum sym.cumsum np.cumsum np.ndarray.cumsum"),
    ("tile an array n times", "nd.tile sym.tile np.tile nd.NDArray.tile np.ndarray.tile sym.Symbol.tile"),
    ("k largest values and their indices",
     "nd.topk sym.topk npx.topk nd.NDArray.topk sym.Symbol.topk"),
    ("bmm batched matrix multiply", "nd.batch_dot sym.batch_dot npx.batch_dot np.matmul"),
    ("stop gradients flowing through a tensor",
     "nd.stop_gradient sym.stop_gradient nd.BlockGrad sym.BlockGrad nd.NDArray.detach"),
    ("sort the values, not the indices (not argsort)",
     "nd.sort sym.sort np.sort nd.NDArray.sort sym.Symbol.sort"),
    ("elementwise maximum of two arrays",
     "nd.maximum sym.maximum np.maximum nd.broadcast_maximum sym.broadcast_maximum"),
    ("one hot encode integer labels",
     "nd.one_hot sym.one_hot npx.one_hot nd.NDArray.one_hot sym.Symbol.one_hot"),
    ("unsqueeze add a new axis", "nd.expand_dims sym.expand_dims np.expand_dims nd.NDArray.expand_dims sym.Symbol.expand_dims"),
    # --- autograd ---
    ("record operations so I can call backward", "autograd.record"),
    ("stop recording temporarily inside autograd.record", "autograd.pause"),
    ("custom autograd function with my own backward",
     "autograd.Function autograd.Function.forward autograd.Function.backward"),
    # --- gluon layers / losses / trainer ---
    ("1x1 convolution layer", "gluon.nn.Conv2D"),
    ("transposed convolution for upsampling",
     "gluon.nn.Conv2DTranspose nd.Deconvolution sym.Deconvolution npx.deconvolution"),
    ("torch.nn.Embedding word vectors lookup", "gluon.nn.Embedding nd.Embedding sym.Embedding npx.embedding"),
    ("global average pooling", "gluon.nn.GlobalAvgPool2D"),
    ("binary cross entropy with logits",
     "gluon.loss.SigmoidBinaryCrossEntropyLoss gluon.loss.SigmoidBCELoss"),
    ("huber loss", "gluon.loss.HuberLoss detection.SmoothL1Loss detection.loss.SmoothL1Loss"),
    ("KL divergence", "gluon.loss.KLDivLoss"),
    ("change the learning rate of the trainer in the middle of training",
     "gluon.Trainer.set_learning_rate gluon.Trainer.learning_rate optimizer.Optimizer.set_learning_rate"),
    ("cosine learning rate decay with warmup", "lr_scheduler.CosineScheduler"),
    ("clip gradients by global norm", "gluon.utils.clip_global_norm"),
    ("adam optimiser", "optimizer.Adam"),
    ("xavier glorot initialization", "init.Xavier"),
    ("initialize all weights to one constant value", "init.Constant init.One init.Zero"),
    ("save my network weights to a file", "gluon.Block.save_parameters gluon.ParameterDict.save"),
    # --- detection ---
    ("intersection over union between two sets of boxes",
     "boxes.box_iou nd.contrib.box_iou sym.contrib.box_iou contrib.ndarray.box_iou contrib.symbol.box_iou "
     "npx.box_iou metric.voc_iou"),
    ("convert boxes from x y w h centre format to corners", "boxes.center_to_corner"),
    ("generate default anchor boxes for a feature map",
     "boxes.multibox_prior nd.contrib.MultiBoxPrior sym.contrib.MultiBoxPrior contrib.ndarray.MultiBoxPrior "
     "contrib.symbol.MultiBoxPrior npx.multibox_prior boxes.ssd_anchor_grid"),
    ("remove duplicate overlapping detections",
     "boxes.box_nms boxes.greedy_nms nd.contrib.box_nms sym.contrib.box_nms contrib.ndarray.box_nms "
     "contrib.symbol.box_nms npx.box_nms nd.contrib.box_non_maximum_suppression "
     "sym.contrib.box_non_maximum_suppression contrib.ndarray.box_non_maximum_suppression "
     "contrib.symbol.box_non_maximum_suppression"),
    ("ssd multibox loss classification plus box regression",
     "detection.SSDMultiBoxLoss detection.loss.SSDMultiBoxLoss"),
    # --- recordio / io / image / profiler / viz / misc ---
    ("write images into a .rec file with an index for random access",
     "recordio.MXIndexedRecordIO recordio.MXIndexedRecordIO.write_idx recordio.pack_img"),
    ("iterate over numpy arrays in mini-batches", "io.NDArrayIter gluon.data.DataLoader gluon.data.ArrayDataset"),
    ("read an image file from disk", "image.imread gluon.data.vision.read_image"),
    ("resize ignoring the aspect ratio, not keeping it", "image.ForceResizeAug image.imresize"),
    ("profile how long each operator takes chrome tracing",
     "profiler.set_config profiler.set_state profiler.dump profiler.dumps"),
    ("draw the network graph", "viz.plot_network"),
    ("run old code that does import mxnet without editing it",
     "mxnet_alias.alias_mxnet run run.main"),
    ("sum an array over all workers allreduce", "distributed.allreduce distributed.allreduce_"),
    ("get outputs of inner layers of a network",
     "gluon.Block.intermediate gluon.intermediate.intermediate_outputs sym.Symbol.get_internals "
     "model_zoo.FeatureExtractor"),
]
