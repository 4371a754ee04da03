"""Read every operator name MXNet 1.9.1 registers and group aliases by op handle (run with MXNet's python)."""
import ctypes, mxnet as mx, json
from mxnet.base import _LIB, check_call, py_str, mx_uint
plist = ctypes.POINTER(ctypes.c_char_p)()
size = mx_uint()
check_call(_LIB.MXListAllOpNames(ctypes.byref(size), ctypes.byref(plist)))
names = [py_str(plist[i]) for i in range(size.value)]
groups = {}
for n in names:
    h = ctypes.c_void_p()
    check_call(_LIB.NNGetOpHandle(ctypes.c_char_p(n.encode()), ctypes.byref(h)))
    groups.setdefault(h.value, []).append(n)
canon = {}
for h, ns in groups.items():
    nm = ctypes.c_char_p(); desc = ctypes.c_char_p(); na = mx_uint()
    an = ctypes.POINTER(ctypes.c_char_p)(); at = ctypes.POINTER(ctypes.c_char_p)(); ad = ctypes.POINTER(ctypes.c_char_p)()
    kv = ctypes.c_char_p(); rt = ctypes.c_char_p()
    check_call(_LIB.MXSymbolGetAtomicSymbolInfo(ctypes.c_void_p(h), ctypes.byref(nm), ctypes.byref(desc), ctypes.byref(na), ctypes.byref(an), ctypes.byref(at), ctypes.byref(ad), ctypes.byref(kv), ctypes.byref(rt)))
    canon[py_str(nm.value)] = sorted(n for n in ns if n != py_str(nm.value))
print(len(names), len(canon))
json.dump(canon, open('/tmp/mx_ops.json', 'w'), indent=0, sort_keys=True)
