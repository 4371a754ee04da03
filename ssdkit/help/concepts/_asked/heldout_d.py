"""Blind held-out query set D for ssdkit-help (fourth writer, different wording from dev_d; never tune on it).
About half the queries cover the newest areas (mx.np / mx.npx, gluon.rnn, vision transforms and datasets, the
vision model zoo and SSD presets, kvstore, executors, custom operators, contrib, gluon.contrib.nn, Block.usage,
ssdkit-docs, test_utils, metrics)."""

QUERIES = [
    # --- mx.np / mx.npx ---
    ("l2 norm of a vector np.linalg", "np.linalg.norm nd.norm sym.norm nd.NDArray.norm sym.Symbol.norm"),
    ("np.vstack", "np.vstack np.concatenate"),
    ("test for infinite values", "np.isinf np.isposinf np.isneginf np.isfinite"),
    ("matrix multiplication of two mx.np arrays like the @ operator", "np.matmul np.dot np.ndarray.dot"),
    ("switch numpy mode off again", "npx.reset_np util.reset_np"),
    ("how many decimals are printed for np arrays", "np.set_printoptions"),
    ("numpy argsort", "np.argsort np.ndarray.argsort"),
    ("make a scalar at least 2-d", "np.atleast_2d np.atleast_1d"),
    ("npx.reshape with the special codes -2 -3 -4", "npx.reshape nd.reshape"),
    ("save a dict of np arrays to disk and load it back", "npx.save npx.load"),
    ("array filled with a value, same shape as another one", "np.full_like"),
    # --- gluon.rnn ---
    ("single step long short-term memory cell", "gluon.rnn.LSTMCell"),
    ("gru celll", "gluon.rnn.GRUCell gluon.rnn.GRU"),
    ("plain elman rnn with tanh", "gluon.rnn.RNN gluon.rnn.RNNCell"),
    ("add the input to the output of a recurrent cell (residual)", "gluon.rnn.ResidualCell"),
    ("tf.keras.layers.Bidirectional(LSTM(...))", "gluon.rnn.BidirectionalCell gluon.rnn.LSTM"),
    ("reset the cell's counters before feeding a new sequence", "gluon.rnn.RecurrentCell.reset"),
    # --- vision transforms / nd.image ---
    ("center crop to 224", "gluon.data.vision.transforms.CenterCrop image.center_crop image.CenterCropAug"),
    ("resize transform for gluon datasets",
     "gluon.data.vision.transforms.Resize nd.image.resize sym.image.resize"),
    ("flip pictures upside down at random",
     "gluon.data.vision.transforms.RandomFlipTopBottom nd.image.random_flip_top_bottom "
     "sym.image.random_flip_top_bottom"),
    ("random brightness", "gluon.data.vision.transforms.RandomBrightness nd.image.random_brightness "
     "sym.image.random_brightness image.BrightnessJitterAug"),
    ("shift the hue randomly", "gluon.data.vision.transforms.RandomHue nd.image.random_hue sym.image.random_hue "
     "image.HueJitterAug"),
    ("crop a fixed window and then resize it", "gluon.data.vision.transforms.CropResize image.fixed_crop "
     "nd.image.crop sym.image.crop"),
    ("torchvision.transforms.ToTensor()", "gluon.data.vision.transforms.ToTensor nd.image.to_tensor "
     "sym.image.to_tensor"),
    # --- vision datasets ---
    ("cifar 100 datset with fine labels", "gluon.data.vision.CIFAR100"),
    ("handwritten digits 28x28", "gluon.data.vision.MNIST"),
    ("dataset of (image, label) pairs read from a packed .rec file",
     "gluon.data.vision.ImageRecordDataset gluon.data.RecordFileDataset"),
    ("torchvision.datasets.ImageFolder", "gluon.data.vision.ImageFolderDataset"),
    ("zalando fashion mnist clothing images", "gluon.data.vision.FashionMNIST"),
    # --- gluon.model_zoo.vision ---
    ("resnet 18 v2", "gluon.model_zoo.vision.resnet18_v2 gluon.model_zoo.vision.ResNetV2 "
     "gluon.model_zoo.vision.get_resnet"),
    ("squeezenet", "gluon.model_zoo.vision.SqueezeNet gluon.model_zoo.vision.squeezenet1_0 "
     "gluon.model_zoo.vision.squeezenet1_1 gluon.model_zoo.vision.get_squeezenet"),
    ("inception v3 for 299x299 images", "gluon.model_zoo.vision.inception_v3 gluon.model_zoo.vision.Inception3"),
    ("load MXNet's pretrained imagenet weights into a network I already built",
     "gluon.model_zoo.model_store.load_pretrained gluon.Block.load_parameters"),
    ("delete the downloaded model weight files", "gluon.model_zoo.model_store.purge"),
    # --- SSD presets (model_zoo) ---
    ("which ssd presets can get_model build", "model_zoo.get_model_list model_zoo.get_model"),
    ("vgg16 atrous feature extractor for 300x300 ssd",
     "model_zoo.vgg16_atrous_300 model_zoo.VGGAtrousExtractor"),
    ("register my own detector so model_zoo.get_model finds it by name", "model_zoo.register_model"),
    # --- kvstore ---
    ("kvstore pull the stored value into an array", "kv.KVStore.pull kv.KVStore.pushpull kv.KVStoreBase.pushpull"),
    ("initialise a key in the key-value store",
     "kv.KVStore.init kv.KVStore.broadcast kv.KVStoreBase.broadcast"),
    ("save optimizer states held by the kvstore",
     "kv.KVStore.save_optimizer_states kv.KVStoreBase.save_optimizer_states"),
    # --- Symbol.bind / executor ---
    ("executor for a bigger batch size, reshape it", "executor.Executor.reshape"),
    ("copy arg_params and aux_params into a bound executor", "executor.Executor.copy_params_from"),
    ("allocate all arrays from the input shapes when binding a symbol",
     "sym.Symbol.simple_bind executor.simple_bind"),
    # --- custom operators ---
    ("CustomOpProp infer_shape output shapes", "operator.CustomOpProp.infer_shape"),
    ("list the custom operators I registered", "operator.registered_op_types operator.get_all_registered_operators"),
    # --- contrib ---
    ("unscale gradients before clipping when using amp", "contrib.amp.unscale"),
    ("evaluate inside a train_section without recording (old contrib autograd)",
     "contrib.autograd.test_section autograd.predict_mode autograd.pause"),
    # --- gluon.contrib.nn ---
    ("identity layer for a skip connection", "gluon.contrib.nn.Identity gluon.nn.Identity"),
    ("torch.nn.PixelShuffle", "gluon.contrib.nn.PixelShuffle2D gluon.contrib.nn.PixelShuffle1D "
     "gluon.contrib.nn.PixelShuffle3D"),
    ("batch norm statistics over all processes of a distributed job",
     "gluon.contrib.nn.SyncBatchNorm contrib.ndarray.SyncBatchNorm contrib.symbol.SyncBatchNorm "
     "nd.contrib.SyncBatchNorm sym.contrib.SyncBatchNorm"),
    # --- Block.usage ---
    ("trainer.step complains some parameters have stale gradients, which blocks did forward skip",
     "gluon.Block.usage gluon.usage.block_usage gluon.usage.BlockUsage"),
    ("find a layer that forward calls twice and so shares weights",
     "gluon.usage.block_usage gluon.Block.usage gluon.usage.CallCounter gluon.usage.BlockUsage"),
    # --- ssdkit-docs ---
    ("ssdkit-docs", "docserve docserve.DocsServer"),
    ("start the docs server in a background thread from a notebook", "docserve.DocsServer.start_in_thread"),
    # --- test_utils ---
    ("compare a symbol's forward output with expected numpy values",
     "test_utils.check_symbolic_forward test_utils.simple_forward"),
    ("check hybridized and imperative block give the same result",
     "test_utils.check_gluon_hybridize_consistency"),
    # --- metrics ---
    ("classification accuracy metric", "metric.Accuracy"),
    ("evaluation metric from my own python function", "metric.CustomMetric metric.np metric.create"),
    ("coco mAP evaluation of boxes", "metric.coco_eval"),

    # --- nd ops ---
    ("permute the axes of a tensor",
     "nd.transpose sym.transpose np.transpose nd.NDArray.transpose np.ndarray.transpose sym.Symbol.transpose "
     "nd.NDArray.T np.ndarray.T np.moveaxis"),
    ("torch.flip reverse along a dimension",
     "nd.flip nd.reverse sym.flip sym.reverse np.flip np.ndarray.flip"),
    ("split an array into equal chunks",
     "nd.split sym.split np.split nd.SliceChannel sym.SliceChannel nd.NDArray.split sym.Symbol.split"),
    ("add up a list of arrays elementwise", "nd.add_n sym.add_n nd.ElementWiseSum sym.ElementWiseSum"),
    ("convert an ndarray to numpy", "nd.NDArray.asnumpy"),
    ("identity matrix with ones on the diagonal", "nd.eye np.eye np.identity"),
    ("slice begin:end along one axis",
     "nd.slice_axis sym.slice_axis nd.NDArray.slice_axis sym.Symbol.slice_axis"),
    ("elementwise greater than", "nd.broadcast_greater sym.broadcast_greater np.greater"),
    ("normalize every row to unit l2 length", "nd.L2Normalization sym.L2Normalization"),
    ("flatten everything but the batch dimension",
     "gluon.nn.Flatten nd.Flatten nd.flatten sym.Flatten sym.flatten npx.batch_flatten"),
    # --- autograd ---
    ("attach_grad", "nd.NDArray.attach_grad"),
    ("gradient of y with respect to x without calling backward, like torch.autograd.grad",
     "autograd.grad contrib.autograd.grad"),
    ("am I in training mode or recording right now", "autograd.is_training autograd.is_recording"),
    # --- gluon layers / losses / trainer ---
    ("nn.Linear", "gluon.nn.Dense"),
    ("leaky relu layer", "gluon.nn.LeakyReLU nd.LeakyReLU sym.LeakyReLU npx.leaky_relu"),
    ("export a hybridized model to json and params files", "gluon.HybridBlock.export"),
    ("load an exported symbol json model back into gluon", "gluon.SymbolBlock.imports gluon.SymbolBlock"),
    ("softmax cross entropy loss", "gluon.loss.SoftmaxCrossEntropyLoss gluon.loss.SoftmaxCELoss"),
    ("focal loss for class imbalance", "gluon.loss.FocalLoss"),
    ("a loss that is not squared error: absolute difference", "gluon.loss.L1Loss"),
    ("save the trainer's optimizer state to resume", "gluon.Trainer.save_states gluon.Trainer.load_states"),
    ("drop the learning rate by 10x at certain epochs",
     "lr_scheduler.MultiFactorScheduler lr_scheduler.FactorScheduler"),
    ("sgd with nesterov momentum", "optimizer.NAG optimizer.SGD"),
    ("split a batch across several devices", "gluon.utils.split_and_load gluon.utils.split_data"),
    ("kaiming he init", "init.MSRAPrelu"),
    ("orthogonal weight initializer", "init.Orthogonal"),
    # --- detection ---
    ("non maximum supression",
     "boxes.box_nms boxes.greedy_nms nd.contrib.box_nms sym.contrib.box_nms contrib.ndarray.box_nms "
     "contrib.symbol.box_nms npx.box_nms nd.contrib.box_non_maximum_suppression "
     "sym.contrib.box_non_maximum_suppression contrib.ndarray.box_non_maximum_suppression "
     "contrib.symbol.box_non_maximum_suppression"),
    ("ssd training targets for anchors from ground truth boxes",
     "boxes.multibox_target nd.contrib.MultiBoxTarget sym.contrib.MultiBoxTarget contrib.ndarray.MultiBoxTarget "
     "contrib.symbol.MultiBoxTarget npx.multibox_target detection.SSDTargetGenerator "
     "detection.loss.SSDTargetGenerator"),
    ("turn ssd class scores and box offsets into final detections",
     "boxes.multibox_detection nd.contrib.MultiBoxDetection sym.contrib.MultiBoxDetection "
     "contrib.ndarray.MultiBoxDetection contrib.symbol.MultiBoxDetection npx.multibox_detection "
     "boxes.decode_boxes model_zoo.toyssd_detect"),
    ("pascal voc detection dataset", "detection.data.VOCDetection"),
    ("detection augmenter that leaves the boxes unchanged (colour only)",
     "image.DetBorrowAug image.det.DetBorrowAug"),
    # --- recordio / io / image / profiler / viz / misc ---
    ("read records one after another from a .rec file", "recordio.MXRecordIO recordio.MXRecordIO.read"),
    ("image record header with label and id", "recordio.IRHeader recordio.unpack recordio.pack"),
    ("fixed number of batches per epoch from another iterator", "io.ResizeIter"),
    ("decode jpeg bytes into an array",
     "image.imdecode gluon.data.vision.decode_image image.ImageIter.imdecode"),
    ("pad the image border with reflection", "image.copyMakeBorder"),
    ("time a named region of my code with the profiler",
     "profiler.Task profiler.Domain.new_task profiler.Event profiler.Frame"),
    ("print a table of layers and parameter counts", "viz.print_summary gluon.Block.summary"),
    ("was this build compiled with CUDA", "runtime.Features runtime.Features.is_enabled runtime.feature_list"),
    ("how many gpus do I have", "context.num_gpus num_gpus test_utils.list_gpus"),
    ("each worker reads a different part of the dataset",
     "distributed.DistributedSampler gluon.data.Dataset.shard distributed.shard_indices distributed.Job.iter_shard"),
]
