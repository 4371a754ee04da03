"""mx.rnn, MXNet 1.x's legacy symbolic RNN cells, pinned to tests/data/symbolic_oracle/rnn_oracle.* (real MXNet
1.9.1): node and argument names, the JSON graph, and the values of unrolled cells on fixed weights."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx

HERE = Path(__file__).resolve().parent / "data" / "symbolic_oracle"
ARRAYS = np.load(HERE / "rnn_oracle.npz")
META = json.loads((HERE / "rnn_oracle.json").read_text())
_spec = importlib.util.spec_from_file_location("rnn_oracle_cases", HERE / "rnn_cases.py")
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)


@pytest.mark.parametrize("name", sorted(CASES.RNN_CASES))
def test_unrolled_cells_match_mxnet(name):
    with mx.name.NameManager():
        outputs = CASES.RNN_CASES[name](mx)
    want = META[name]
    assert outputs.list_arguments() == want["arguments"]
    assert outputs.list_outputs() == want["outputs"]
    feed = {arg: mx.nd.array(ARRAYS[f"{name}/in/{arg}"]) for arg in want["arguments"]}
    for i, out in enumerate(outputs.eval(**feed)):
        np.testing.assert_allclose(out.asnumpy(), ARRAYS[f"{name}/out{i}"], rtol=1e-5, atol=1e-6)


def test_unpack_and_pack_weights_round_trip():
    cell = mx.rnn.LSTMCell(2, prefix="l_")
    args = {"l_i2h_weight": mx.nd.arange(24).reshape((8, 3)), "l_i2h_bias": mx.nd.arange(8),
            "l_h2h_weight": mx.nd.arange(16).reshape((8, 2)), "l_h2h_bias": mx.nd.arange(8)}
    unpacked = cell.unpack_weights(args)
    assert sorted(unpacked) == sorted(f"l_{g}{gate}_{k}" for g in ("i2h", "h2h") for gate in ("_i", "_f", "_c", "_o")
                                      for k in ("weight", "bias"))
    np.testing.assert_array_equal(unpacked["l_i2h_f_bias"].asnumpy(), [2, 3])
    packed = cell.pack_weights(unpacked)
    for key, value in args.items():
        np.testing.assert_array_equal(packed[key].asnumpy(), value.asnumpy())


def test_fused_and_bidirectional_cells_cannot_step():
    with pytest.raises(mx.MXNetError, match="cannot be stepped"):
        mx.rnn.FusedRNNCell(2)(mx.sym.var("x"), [])
    with pytest.raises(mx.MXNetError, match="cannot be stepped"):
        mx.rnn.BidirectionalCell(mx.rnn.RNNCell(2), mx.rnn.RNNCell(2))(mx.sym.var("x"), [])


def test_bucket_sentence_iter_pads_and_shifts_labels():
    sentences, vocab = mx.rnn.encode_sentences([["a", "b"], ["b", "c"], ["a", "b", "c"], ["c", "a", "b"]],
                                               invalid_label=0, start_label=1)
    it = mx.rnn.BucketSentenceIter(sentences, batch_size=2, invalid_label=0)
    batches = sorted(((b.bucket_key, b.data[0].asnumpy(), b.label[0].asnumpy()) for b in it), key=lambda t: t[0])
    assert [key for key, _, _ in batches] == [2, 3]
    for _, data, label in batches:
        np.testing.assert_array_equal(label[:, :-1], data[:, 1:])
        assert (label[:, -1] == 0).all()
