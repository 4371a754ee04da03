"""The tiny pikachu set and one short training run that the tool tests (test_scripts, test_safety_apps) share:
8 + 4 generated images, data shape 64, batch 4."""
from ssdkit.apps import train
from ssdkit.datagen import generate_pikachu

TINY = ["--data-shape", "64", "--batch-size", "4", "--val-batch-size", "4", "--no-progress", "--log-interval", "1",
        "--num-train", "8", "--num-val", "4"]


def make_tiny_set(tmp_path_factory):
    """Generate the 8 + 4 image set into a fresh temporary folder; returns the folder."""
    root = tmp_path_factory.mktemp("pikachu")
    generate_pikachu(root, num_train=8, num_val=4, size=256, num_workers=0, progress=False)
    return root


def train_tiny(data, tmp_path_factory, epochs):
    """Train ToySSD on ``data`` for ``epochs`` into a fresh save prefix; returns the prefix."""
    prefix = tmp_path_factory.mktemp("run") / "toyssd"
    assert train.main(["--dataset-root", str(data), "--save-prefix", str(prefix), "--epochs", str(epochs)]
                      + TINY) == 0
    return prefix
