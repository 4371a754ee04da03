"""Synthetic data generators (layer 1: numpy, Pillow and ``ssdkit.base``/``ssdkit.recordio`` only).

Examples
--------
>>> from ssdkit.datagen import CLASS_NAMES
>>> CLASS_NAMES[0]
'pikachu'
"""
from .figures import CLASS_NAMES
from .pikachu import ForeignFolderError, check_generator_folder, ensure_pikachu, generate_pikachu, render_sample

__all__ = ["CLASS_NAMES", "ensure_pikachu", "generate_pikachu", "render_sample", "check_generator_folder",
           "ForeignFolderError"]
