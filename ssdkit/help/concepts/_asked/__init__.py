"""The blind query sets (see ssdkit/help/concepts/asked.py): one module per set, each defining ``QUERIES``."""
