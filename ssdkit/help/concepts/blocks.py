"""Help-search concepts of gluon blocks (see :mod:`ssdkit.help.concepts`).

Covers parameters, saving and loading, hybridize, layers, hooks, initializers, viz.

Examples
--------
>>> any("collect_params" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

_BLOCK = "gluon.Block"
_HYBRID = "gluon.HybridBlock"

CONCEPTS = (
    (f"{_BLOCK}.collect_params gluon.ParameterDict",
     "layer weights | get parameters | all weights | named_parameters | parameters() | list parameters | "
     "access weights of a network | state_dict | model parameters | trainable_variables | trainable_weights | "
     "model.weights | get_weights | all trainable variables"),
    (f"{_HYBRID}.hybridize {_HYBRID}.export",
     "make it faster | speed up | compile | jit | torchscript | torch.jit.script | torch.jit.trace | "
     "static graph | symbolic graph | graph mode | cached graph | trace the model | deferred compute"),
    (f"{_BLOCK}.save_parameters {_HYBRID}.export",
     "save model | save weights | checkpoint | torch.save | serialize parameters | save network to file | "
     "write params file | save_params"),
    (f"{_HYBRID}.export gluon.SymbolBlock.imports",
     "export model | save model for deployment | symbol json and params | export for inference | "
     "serialize graph | deploy model"),
    (f"{_BLOCK}.load_parameters",
     "load pretrained | load weights | restore checkpoint | load_state_dict | load params file | "
     "torch.load | read saved parameters | load_params | shape mismatch when loading parameters | "
     "size mismatch loading state_dict | saved weights do not fit the network"),
    ("gluon.SymbolBlock.imports gluon.Block.load_parameters",
     "convert mxnet model | use a model trained with mxnet | load mxnet checkpoint | mxnet params file"),
    ("gluon.SymbolBlock.imports sym.load",
     "load exported model | import symbol json and params | load model from json | load symbol file"),
    ("gluon.Block.intermediate gluon.intermediate.intermediate_outputs sym.Symbol.get_internals gluon.SymbolBlock",
     "intermediate layer output | feature map of a layer | hidden layer activations | extract features | "
     "output of a middle layer | internal outputs | intermediate features | get_internals | symbol bypass | "
     "forward features of layer | create_feature_extractor | IntermediateLayerGetter"),
    ("gluon.Block.intermediate_names gluon.intermediate.intermediate_names",
     "list intermediate layer names | which outputs can be read"),
    ("model_zoo.FeatureExpander model_zoo.FeatureExtractor",
     "feature expander | multi scale features from backbone | feature pyramid from base network | "
     "extract multiple feature maps"),
    (f"{_BLOCK}.register_forward_hook {_BLOCK}.register_forward_pre_hook",
     "forward hook | register hook | inspect activations during forward | monitor outputs"),
    ("gluon.ParameterDict.setattr gluon.Parameter.grad_req",
     "freeze layers | grad_req null | requires_grad false | fine tune only last layer | "
     "do not update weights | frozen parameters | set lr_mult | trainable false | "
     "different learning rate for some layers | per layer learning rate | lr_mult | wd_mult | "
     "do not train some layers | exclude layers from training | not trainable"),
    (f"{_BLOCK}.initialize init.Xavier",
     "initialize weights | init parameters | weight initialization | reset parameters | "
     "initialize the network | net.initialize() | init the model"),
    ("init.Xavier", "xavier init | glorot initialization | xavier_uniform"),
    ("init.MSRAPrelu", "he initialization | kaiming init | msra init | kaiming_normal"),
    ("init.Normal init.Uniform", "gaussian init | normal distribution initializer | uniform initializer"),
    (_BLOCK,
     "nn.module | custom layer | define a model class | base class of layers | base class for my network | "
     "subclass block | imperative model | forward method"),
    (f"{_HYBRID} {_HYBRID}.hybrid_forward",
     "hybrid_forward | hybridizable layer | F namespace | layer that can be compiled"),
    ("gluon.nn.Sequential gluon.nn.HybridSequential",
     "stack layers in a container | nn.sequential | chain layers | sequential model | container of blocks"),
    ("gluon.nn.Dense", "linear layer | fully connected layer | nn.linear | dense layer | fc layer | mlp"),
    ("gluon.nn.Conv2D", "2d convolution layer | conv layer | nn.conv2d | convolutional layer"),
    ("gluon.nn.Conv2DTranspose", "transposed convolution | deconvolution layer | upsampling conv | convtranspose2d"),
    ("gluon.nn.MaxPool2D nd.Pooling", "max pooling | maxpool2d | downsample feature map"),
    ("gluon.nn.AvgPool2D gluon.nn.GlobalAvgPool2D", "average pooling | avgpool2d"),
    ("gluon.nn.GlobalAvgPool2D gluon.nn.GlobalMaxPool2D",
     "global pooling | adaptiveavgpool2d 1 | pool whole feature map"),
    ("gluon.nn.BatchNorm", "batch normalization layer | batchnorm2d | bn layer"),
    ("gluon.nn.Dropout nd.Dropout",
     "dropout | randomly zero activations | randomly drop units | regularize by dropping neurons"),
    ("gluon.nn.Embedding", "embedding layer | word vectors | lookup table"),
    ("gluon.nn.Flatten", "flatten layer | nn.flatten"),
    ("gluon.nn.Lambda gluon.nn.HybridLambda", "wrap a function as a layer | lambda layer"),
    ("gluon.nn.Activation gluon.nn.LeakyReLU", "activation layer | relu layer | nn.relu"),
    (f"{_BLOCK}.summary viz.print_summary",
     "count parameters | number of parameters | how big is the model | print summary | model summary | "
     "torchsummary | layer output shapes table"),
    (f"{_BLOCK}.usage gluon.usage.block_usage {_BLOCK}.summary",
     "layer not trained | unused layer | which blocks are used | blocks forward never calls | block not called | "
     "parameter has no gradient | gradient not updated | stale gradient | has not been updated by backward | "
     "ignore_stale_grad | find unused parameters | find_unused_parameters | dead layers | shared weights used twice"),
    ("sym.Symbol.simple_bind sym.Symbol.bind executor.Executor",
     "bind a symbol | simple_bind | executor forward backward | run a symbol graph with arrays | "
     "symbolic executor | arg_dict grad_dict | old symbolic api"),
    ("sym.Symbol.bind executor.bind executor.Executor.forward",
     "bind a symbol to arrays | bind with my own ndarrays | bind given arrays and run forward | "
     "executor over arrays i allocated"),
    ("sym.Symbol.simple_bind executor.simple_bind", "bind from shapes | allocate arrays from input shapes"),
    ("docserve.DocsServer",
     "run the documentation examples | interactive documentation | try examples in the browser | "
     "documentation you can run | ssdkit-docs | like mathematica notebook docs"),
    ("viz.plot_network",
     "visualize network | draw graph | plot model architecture | network diagram | graphviz | netron | "
     "computation graph picture"),
    ("editor editor.export_python",
     "draw a network | edit graph visually | visual block editor | simulink | drag and drop layers | "
     "compose a network graphically | wire layers in the browser | graphical featureexpander | "
     "tap internal outputs graphically | network editor gui | generate gluon code from a graph"),
    ("editor.export_python", "export the drawing as python code | editor to gluon code | save the edited graph as a "
     "hybridblock module"),
    ("editor.load_model editor.from_symbol_json editor",
     "open a model in the editor | load a symbol json into the editor | edit an existing network visually"),
    (f"{_BLOCK}.cast", "half precision | float16 | .half() | change dtype of model | convert all weights to float64 | "
                    "cast the network to another dtype | .double()"),
    # --- more of the API, in the words of PyTorch, Keras, TF and MXNet users ---
    (f"{_BLOCK}.apply", "apply a function to every child | recursively apply | model.apply | visit all sub layers"),
    (f"{_BLOCK}.register_child gluon.nn.Sequential",
     "register child block | add submodule | add_module | nn.modulelist | moduledict | list of layers"),
    (f"{_BLOCK}.register_op_hook {_HYBRID}.register_op_hook",
     "operator hook | monitor every operator output | inspect outputs of each op | mx.monitor | debug nan"),
    (f"{_BLOCK}.forward", "forward pass | __call__ | call the network on input | model(x)"),
    (f"{_BLOCK}.params {_BLOCK}.collect_params", "own parameters of a block | self.params"),
    (f"{_BLOCK}.prefix {_BLOCK}.name", "block name | prefix of parameter names | layer name"),
    ("gluon.Parameter", "nn.parameter | tf.variable | trainable weight tensor | a weight of a layer"),
    ("gluon.Parameter.data gluon.Parameter.list_data",
     "value of a parameter | weight values | parameter data | read weights as array | param.data()"),
    ("gluon.Parameter.grad gluon.Parameter.list_grad",
     "gradient of a parameter | weight.grad | param.grad() | gradient of weights"),
    ("gluon.Parameter.set_data",
     "set parameter value | assign weights | copy values into a parameter | overwrite weights | "
     "load numpy into weight"),
    ("gluon.ParameterDict.zero_grad gluon.Parameter.zero_grad",
     "zero gradients | optimizer.zero_grad | clear gradients | reset grads to zero"),
    ("gluon.Parameter.reset_ctx gluon.ParameterDict.reset_ctx",
     "move parameters to device | model.to(device) | model.cuda() | move weights to gpu | change context of model"),
    ("gluon.Parameter.cast", "cast parameter dtype"),
    ("gluon.Parameter.initialize gluon.ParameterDict.initialize", "initialize one parameter | init a single weight"),
    ("gluon.Parameter.shape gluon.Parameter.dtype", "shape of a weight | parameter shape | parameter dtype"),
    ("gluon.Parameter.grad_req", "grad_req | gradient accumulation | grad_req add | accumulate gradients | "
     "do not compute the gradient of a parameter | no gradient for this weight"),
    ("gluon.Constant",
     "constant parameter | not trained | never trained | parameter without gradient | register_buffer | buffer | "
     "non trainable tensor | fixed value in a block"),
    ("gluon.ParameterDict.get",
     "create a parameter | self.params.get | add weight to a layer | add_weight | register_parameter"),
    ("gluon.ParameterDict.save gluon.ParameterDict.load gluon.ParameterDict.load_dict",
     "save parameter dict | load parameter dict from file | load a dict of arrays into parameters"),
    ("gluon.ParameterDict", "dictionary of parameters | parameterdict | parameters by name"),
    ("gluon.DeferredInitializationError gluon.utils.shape_is_known",
     "deferred initialization | shape unknown until first forward | in_units not given | lazy initialization | "
     "parameter shape not known yet"),
    (f"{_HYBRID}.infer_shape", "infer shapes of parameters | run shape inference on a block"),
    (f"{_HYBRID}.infer_type", "infer dtypes of parameters"),
    ("gluon.nn.Identity", "identity layer | no op layer | pass through layer | nn.identity | does nothing"),
    ("gluon.nn.PReLU", "parametric relu | prelu | learnable negative slope | prelu activation layer"),
    ("gluon.nn.ELU", "exponential linear unit | elu | elu activation layer"),
    ("gluon.nn.SELU", "scaled exponential linear unit | selu | self normalizing | selu activation layer"),
    ("gluon.nn.GELU", "gaussian error linear unit | gelu | gelu activation layer"),
    ("gluon.nn.Swish", "swish | silu | x times sigmoid | swish activation layer"),
    ("gluon.nn.LeakyReLU", "leaky relu | negative slope | leakyrelu | leaky relu activation layer"),
    ("gluon.nn.Activation", "activation function by name | relu sigmoid tanh softrelu softsign layer"),
    ("gluon.nn.Dense", "keras dense | tf.keras.layers.dense | affine layer | output layer"),
    ("gluon.nn.Conv2D", "keras conv2d | tf.keras.layers.conv2d | convolution with kernel size stride padding"),
    ("gluon.nn.MaxPool2D", "keras maxpooling2d | tf.nn.max_pool"),
    ("gluon.nn.GlobalAvgPool2D", "global average pooling | adaptive average pool | gap layer"),
    ("gluon.nn.GlobalMaxPool2D", "global max pooling"),
    ("gluon.nn.HybridSequential gluon.nn.Sequential", "keras sequential | tf.keras.sequential | hybrid sequential"),
    (f"{_HYBRID}.hybridize gluon.nn.HybridSequential",
     "static_alloc static_shape | faster inference | tf.function | optimize the graph"),
    ("gluon.SymbolBlock", "wrap a symbol as a block | graph as a layer | run a symbol like a network"),
    ("init.Initializer", "custom initializer | initializer base class | write my own init"),
    ("init.Zero init.Constant", "zeros init | initialize to zero | zero bias | nn.init.zeros_"),
    ("init.One", "ones init | initialize to one | nn.init.ones_"),
    ("init.Constant", "constant init | fill weights with a value | nn.init.constant_"),
    ("init.Normal", "normal init | truncated normal | gaussian weights with sigma | nn.init.normal_"),
    ("init.Uniform", "uniform init | nn.init.uniform_ | random uniform weights"),
    ("init.Orthogonal", "orthogonal init | orthogonal initialization | nn.init.orthogonal_"),
    ("init.Bilinear", "bilinear init | bilinear upsampling kernel | init deconvolution as upsampling"),
    ("init.LSTMBias", "lstm forget gate bias | lstm bias init"),
    ("init.Mixed", "different initializers for different parameters | init by name pattern | regex initializer"),
    ("init.Load", "initialize from saved arrays | init from a file | warm start from arrays"),
    ("init.create init.register init.alias", "initializer by name | register a custom initializer | init from string"),
    ("init.Initializer.set_verbosity", "print initialization statistics | verbose init"),
    ("viz.Graph.svg viz.Graph.save viz.Graph.render viz.plot_network",
     "save network diagram | svg of the graph | render the graph to a file | export graph picture"),
    ("viz.Graph.html", "graph as html | view network in a notebook"),
    ("name.current name.NameManager", "current name manager | automatic layer names"),
    ("gluon.ParameterDict.get_constant gluon.Constant", "create a constant in a block | get_constant"),
    ("gluon.ParameterDict.items gluon.ParameterDict.keys gluon.ParameterDict.values",
     "iterate over parameters by name | parameter names | names and values of all weights"),
    ("gluon.Block gluon.Block.collect_params gluon.ParameterDict.update",
     "share weights between layers | tie weights | weight sharing | params=other.collect_params()"),
    ("gluon.ParameterDict.update", "merge parameter dicts | add parameters of another dict"),
    ("gluon.Parameter.list_ctx gluon.ParameterDict.list_ctx", "devices a parameter lives on | contexts of weights"),
    ("gluon.Parameter.var", "symbol of a parameter | parameter as a symbol variable"),
    ("gluon.utils.split_data", "split a batch into parts | slice data along the batch axis"),
    ("gluon.utils.HookHandle", "hook handle | handle returned by register hook"),
    ("init.InitDesc", "name of the parameter an initializer is called with | initdesc"),
    ("init.Initializer.dumps", "serialize an initializer | initializer to json"),
    ("viz.Graph viz.Graph.source", "graph object of a network | graphviz dot source | dot text of the graph"),
    ("gluon.nn", "all layers | neural network layers | list of layers"),
    ("init", "all initializers | available initializers | list of initializers"),
    ("gluon", "gluon api"),
)
