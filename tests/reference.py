"""Access to the MXNet 1.9.1 reference vectors in ../shared/reference (see its README)."""
import json
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def load_reference():
    """(meta dict, npz) or a pytest skip when the shared folder is absent."""
    if not (REFERENCE / "mxnet_golden.npz").exists():
        pytest.skip("../shared/reference is not available")
    return json.loads((REFERENCE / "mxnet_golden.json").read_text()), np.load(REFERENCE / "mxnet_golden.npz")


def case_names(prefix):
    """Names of the reference cases starting with ``prefix`` (empty when the folder is absent)."""
    if not (REFERENCE / "mxnet_golden.json").exists():
        return []
    return sorted(k for k in json.loads((REFERENCE / "mxnet_golden.json").read_text()) if k.startswith(prefix))


OUT_TOL = dict(rtol=1e-4, atol=1e-4)
GRAD_TOL = dict(rtol=2e-3, atol=2e-3)
