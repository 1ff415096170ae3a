#!/usr/bin/env python3
"""Golden greedy continuations, by Hugging Face transformers' own generate(do_sample=False) with its KV cache.

For the golden checkpoint of every family (Llama: tiny-f32-a, and the family goldens under
golden/families/), two prompts of random token ids (one longer than Gemma-2's 16-position window
once continued), 24 new tokens each: the ids generate() gives, and the same with a steering vector,
c times a seeded random vector added to the output of block 1 at every position (a forward hook, as
llama.cpp applies a control vector). The checkpoint's eos_token_id stops generation where it has one.

Run by a maintainer, not by CI; the same setup as family_patching.py (whose stand-ins and reader it
imports):

    /usr/bin/python3 scripts/golden/family_generate.py --sources SRC/src
"""
import argparse
import importlib
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import family_patching  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources", "golden")
CASES = ["tiny-f32-a", "families/f-qwen2-s3", "families/f-qwen2-untied-s3", "families/f-mistral-s3", "families/f-gemma2-s3"]
PREFIX = {"llama": "Llama", "qwen2": "Qwen2", "mistral": "Mistral", "gemma2": "Gemma2"}
NEW_TOKENS = 24
STEER_LAYER = 1
STEER_SCALE = 2.0


def build(torch, case_dir, tensors):
    with open(os.path.join(case_dir, "config.json")) as f:
        raw = json.load(f)
    family = raw["model_type"]
    configuration = importlib.import_module(f"transformers.models.{family}.configuration_{family}")
    modeling = importlib.import_module(f"transformers.models.{family}.modeling_{family}")
    config = getattr(configuration, PREFIX[family] + "Config")(**raw)
    config._attn_implementation = "eager"
    model = getattr(modeling, PREFIX[family] + "ForCausalLM")(config).to(torch.float32)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=False)
    allowed = {"lm_head.weight"} if config.tie_word_embeddings else set()
    if set(missing) - allowed or unexpected:
        raise ValueError(f"{case_dir}: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model.eval(), raw


def greedy(torch, model, prompt, steer=None):
    handle = None
    if steer is not None:
        vector = torch.tensor(steer, dtype=torch.float32)

        def add(module, args, output):
            return (output[0] + STEER_SCALE * vector,) + tuple(output[1:])
        handle = model.model.layers[STEER_LAYER].register_forward_hook(add)
    try:
        ids = torch.tensor([prompt])
        with torch.no_grad():
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=NEW_TOKENS,
                                 use_cache=True, pad_token_id=0)
    finally:
        if handle is not None:
            handle.remove()
    return out[0, len(prompt):].tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", required=True, help="directory holding the transformers and huggingface_hub packages")
    args = parser.parse_args()
    standins = tempfile.mkdtemp(prefix="locus-standins-")
    family_patching.install_standins(standins)
    sys.path[:0] = [standins, args.sources]
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    import transformers

    if not hasattr(torch, "_dynamo"):
        # Gemma-2's HybridCache marks its buffers for torch.compile, which Debian's torch 1.13 lacks; marking changes no number.
        import types
        torch._dynamo = types.SimpleNamespace(mark_static_address=lambda tensor: None)
    if transformers.__version__ != "4.45.2":
        raise SystemExit(f"--sources: transformers {transformers.__version__}, expected 4.45.2")
    torch.manual_seed(0)
    rng = np.random.default_rng(20261203)
    cases = []
    for case in CASES:
        case_dir = os.path.join(GOLDEN, case)
        weights = os.path.join(case_dir, "model.safetensors")
        model, raw = build(torch, case_dir, family_patching.read_safetensors(weights))
        vocab = raw["vocab_size"]
        steer = rng.standard_normal(raw["hidden_size"]).astype(np.float32)
        prompts = [rng.integers(0, vocab, 5).tolist(), rng.integers(0, vocab, 20).tolist()]
        runs = []
        for prompt in prompts:
            runs.append({"prompt": prompt, "greedy": greedy(torch, model, prompt), "steered": greedy(torch, model, prompt, steer.tolist())})
        cases.append({"case": case, "model_type": raw["model_type"], "sha256": family_patching.sha256(weights),
                      "eos_token_id": raw.get("eos_token_id"), "steering_vector": steer.tolist(), "runs": runs})
        print(f"{case}: " + "; ".join(f"{len(r['greedy'])} and {len(r['steered'])} new tokens" for r in runs))
    out = {
        "schema": "golden-generate-v1",
        "reference": {"transformers": transformers.__version__, "torch": torch.__version__, "attention": "eager", "dtype": "float32",
                      "call": f"generate(do_sample=False, max_new_tokens={NEW_TOKENS}, use_cache=True, pad_token_id=0)",
                      "script": "scripts/golden/family_generate.py"},
        "steering": {"layer": STEER_LAYER, "scale": STEER_SCALE,
                     "how": "scale * steering_vector added to the output of model.layers[layer] (resid_post.layer) at every position"},
        "cases": cases,
    }
    os.makedirs(os.path.join(GOLDEN, "generate"), exist_ok=True)
    path = os.path.join(GOLDEN, "generate", "expected.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
