"""Pretrained weight files of the vision model zoo: MXNet 1.9.1's file names and SHA-1 table, found on disk.

ssdkit does not download. ``get_model_file('resnet18_v1')`` looks for MXNet's own file
``resnet18_v1-a0666292.params`` (``<name>-<first 8 hex digits of its SHA-1>.params``) in
``$MXNET_HOME/models`` (default ``~/.mxnet/models``) or in ``root``, checks the full SHA-1 that MXNet 1.9.1
publishes, and returns its path. When the file is absent or damaged, the error names the file, the folder
and the address MXNet publishes it at (a zip holding that one file), so it can be fetched by hand.

Examples
--------
>>> short_hash('resnet18_v1')
'a0666292'
>>> import tempfile
>>> get_model_file('alexnet', root=tempfile.mkdtemp())
Traceback (most recent call last):
...
ssdkit.gluon.model_zoo.model_store.PretrainedFileError: pretrained weights of 'alexnet' not found: ...
"""
import os

from ...base import MXNetError, data_dir
from ..utils import check_sha1

__all__ = ["get_model_file", "purge", "short_hash", "model_file_name", "default_root", "load_pretrained",
           "PretrainedFileError"]

#: SHA-1 of each pretrained file, as published by MXNet 1.9.1's gluon/model_zoo/model_store.py.
_model_sha1 = {
    "alexnet": "44335d1f0046b328243b32a26a4fbd62d9057b45",
    "densenet121": "f27dbf2dbd5ce9a80b102d89c7483342cd33cb31",
    "densenet161": "b6c8a95717e3e761bd88d145f4d0a214aaa515dc",
    "densenet169": "2603f878403c6aa5a71a124c4a3307143d6820e9",
    "densenet201": "1cdbc116bc3a1b65832b18cf53e1cb8e7da017eb",
    "inceptionv3": "ed47ec45a937b656fcc94dabde85495bbef5ba1f",
    "mobilenet0.25": "9f83e440996887baf91a6aff1cccc1c903a64274",
    "mobilenet0.5": "8e9d539cc66aa5efa71c4b6af983b936ab8701c3",
    "mobilenet0.75": "529b2c7f4934e6cb851155b22c96c9ab0a7c4dc2",
    "mobilenet1.0": "6b8c5106c730e8750bcd82ceb75220a3351157cd",
    "mobilenetv2_1.0": "36da4ff1867abccd32b29592d79fc753bca5a215",
    "mobilenetv2_0.75": "e2be7b72a79fe4a750d1dd415afedf01c3ea818d",
    "mobilenetv2_0.5": "aabd26cd335379fcb72ae6c8fac45a70eab11785",
    "mobilenetv2_0.25": "ae8f9392789b04822cbb1d98c27283fc5f8aa0a7",
    "resnet18_v1": "a0666292f0a30ff61f857b0b66efc0228eb6a54b",
    "resnet34_v1": "48216ba99a8b1005d75c0f3a0c422301a0473233",
    "resnet50_v1": "0aee57f96768c0a2d5b23a6ec91eb08dfb0a45ce",
    "resnet101_v1": "d988c13d6159779e907140a638c56f229634cb02",
    "resnet152_v1": "671c637a14387ab9e2654eafd0d493d86b1c8579",
    "resnet18_v2": "a81db45fd7b7a2d12ab97cd88ef0a5ac48b8f657",
    "resnet34_v2": "9d6b80bbc35169de6b6edecffdd6047c56fdd322",
    "resnet50_v2": "ecdde35339c1aadbec4f547857078e734a76fb49",
    "resnet101_v2": "18e93e4f48947e002547f50eabbcc9c83e516aa6",
    "resnet152_v2": "f2695542de38cf7e71ed58f02893d82bb409415e",
    "squeezenet1.0": "264ba4970a0cc87a4f15c96e25246a1307caf523",
    "squeezenet1.1": "33ba0f93753c83d86e1eb397f38a667eaf2e9376",
    "vgg11": "dd221b160977f36a53f464cb54648d227c707a05",
    "vgg11_bn": "ee79a8098a91fbe05b7a973fed2017a6117723a8",
    "vgg13": "6bc5de58a05a5e2e7f493e2d75a580d83efde38c",
    "vgg13_bn": "7d97a06c3c7a1aecc88b6e7385c2b373a249e95e",
    "vgg16": "e660d4569ccb679ec68f1fd3cce07a387252a90a",
    "vgg16_bn": "7f01cf050d357127a73826045c245041b0df7363",
    "vgg19": "ad2f660d101905472b83590b59708b71ea22b2e5",
    "vgg19_bn": "f360b758e856f1074a85abd5fd873ed1d98297c3",
}

#: Where MXNet 1.9.1 publishes the zipped files (overridden, as in MXNet, by $MXNET_GLUON_REPO).
apache_repo_url = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
_url_format = "{repo_url}gluon/models/{file_name}.zip"


class PretrainedFileError(MXNetError, FileNotFoundError):
    """A pretrained weight file is absent or its SHA-1 differs from MXNet's (ssdkit never downloads).

    Examples
    --------
    >>> issubclass(PretrainedFileError, FileNotFoundError)
    True
    """


def default_root():
    """``$MXNET_HOME/models`` (default ``~/.mxnet/models``), read at each call.

    Examples
    --------
    >>> default_root().endswith('models')
    True
    """
    return os.path.join(data_dir(), "models")


def short_hash(name):
    """The first 8 hex digits of the SHA-1 of ``name``'s pretrained file.

    Examples
    --------
    >>> short_hash('squeezenet1.1')
    '33ba0f93'
    """
    if name not in _model_sha1:
        raise MXNetError(f"Pretrained model for {name} is not available. Models with pretrained weights: "
                         f"{', '.join(sorted(_model_sha1))}")
    return _model_sha1[name][:8]


def model_file_name(name):
    """MXNet's file name of ``name``'s pretrained weights.

    Examples
    --------
    >>> model_file_name('mobilenet0.25')
    'mobilenet0.25-9f83e440.params'
    """
    return f"{name}-{short_hash(name)}.params"


def _published_at(file_name):
    repo_url = os.environ.get("MXNET_GLUON_REPO", apache_repo_url)
    if not repo_url.endswith("/"):
        repo_url += "/"
    return _url_format.format(repo_url=repo_url, file_name=file_name[:-len(".params")])


def get_model_file(name, root=None):
    """Path of ``name``'s pretrained weights after checking their SHA-1 (nothing is downloaded).

    Parameters
    ----------
    name : str
        A model name of :func:`ssdkit.gluon.model_zoo.vision.get_model` (``'resnet50_v1'``).
    root : str, default ``$MXNET_HOME/models``
        Folder holding MXNet's ``<name>-<short sha1>.params`` files.

    Returns
    -------
    str
        The file's path.

    Raises
    ------
    PretrainedFileError
        The file is absent, or present with another SHA-1; the message says which file to put where and the
        address MXNet publishes it at.

    Examples
    --------
    >>> import os, tempfile
    >>> try:
    ...     get_model_file('resnet18_v1', root=tempfile.mkdtemp())
    ... except FileNotFoundError as err:
    ...     'resnet18_v1-a0666292.params' in str(err)
    True
    """
    file_name = model_file_name(name)
    root = os.path.expanduser(default_root() if root is None else root)
    file_path = os.path.join(root, file_name)
    url = _published_at(file_name)
    if os.path.exists(file_path):
        if check_sha1(file_path, _model_sha1[name]):
            return file_path
        raise PretrainedFileError(
            f"pretrained weights of {name!r}: {file_path} exists but its SHA-1 is not MXNet's "
            f"{_model_sha1[name]} (damaged, truncated or another file); replace it with {file_name} from the "
            f"zip MXNet publishes at {url}")
    raise PretrainedFileError(
        f"pretrained weights of {name!r} not found: put MXNet's file {file_name} into the folder {root} "
        f"(ssdkit does not download; MXNet publishes it zipped at {url} - unzip it there), or pass root= the "
        "folder that holds it")


def purge(root=None):
    """Delete every ``.params`` file in ``root`` (default ``$MXNET_HOME/models``), as MXNet's ``purge``.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp(); _ = open(os.path.join(folder, 'a.params'), 'wb').write(b'')
    >>> purge(folder); os.listdir(folder)
    []
    """
    root = os.path.expanduser(default_root() if root is None else root)
    for file_name in os.listdir(root):
        if file_name.endswith(".params"):
            os.remove(os.path.join(root, file_name))


def load_pretrained(net, name, root=None, ctx=None):
    """Load MXNet's pretrained weights of ``name`` into ``net`` (what ``pretrained=True`` does); returns ``net``.

    Examples
    --------
    >>> import tempfile
    >>> from ssdkit.gluon import nn
    >>> load_pretrained(nn.Dense(2), 'vgg11', root=tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    ssdkit.gluon.model_zoo.model_store.PretrainedFileError: pretrained weights of 'vgg11' not found: ...
    """
    net.load_parameters(get_model_file(name, root=root), ctx=ctx)
    return net
