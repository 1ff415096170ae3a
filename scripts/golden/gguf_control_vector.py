#!/usr/bin/env python3
"""The golden control vector of GgufWriterTest, written by llama.cpp's own gguf-py (GGUFWriter) and read
back by its GGUFReader: a control vector of a hidden-8 llama with one direction at layer 3.

Run by a maintainer, not by CI (it needs numpy and llama.cpp's gguf-py source):

    apt-get install python3-numpy
    git -C <llama.cpp clone> archive c392e5094 gguf-py | tar x -C SRC   # sentencepiece is imported but not used here
    PYTHONPATH=SRC/gguf-py /usr/bin/python3 scripts/golden/gguf_control_vector.py \
        src/test/resources/golden/gguf/control-vector.gguf
"""
import sys

import numpy as np
import gguf

v = np.array([0.5, -1.25, 3.0, 0.0, 1e-3, -2.5, 7.75, 0.125], dtype=np.float32)
w = gguf.GGUFWriter(sys.argv[1], arch="controlvector")
w.add_string("controlvector.model_hint", "llama")
w.add_int32("controlvector.layer_count", 1)
w.add_tensor("direction.3", v)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
r = gguf.GGUFReader(sys.argv[1])
print([f.name for f in r.fields.values()])
print([(t.name, int(t.tensor_type), [int(s) for s in t.shape], t.data.tolist()) for t in r.tensors])
