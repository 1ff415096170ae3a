#!/usr/bin/env python3
"""Golden patched margins for the family goldens, computed by Hugging Face transformers itself.

For each checkpoint under src/test/resources/golden/families/<case>/ (recipient A), the donor B is
the same checkpoint with every tensor's elements in reverse order (flattened, row-major): another
random model of the same distribution, which a test rebuilds bit for bit without a second
checkpoint in the repository. For one preference pair of random tokens (long enough that Gemma-2's
16-position window is exceeded), the script writes A's and B's margins and the margins of A with
one point patched from B's run on the same tokens, in the conventions of golden/patching
(resid_post: (1-alpha) h_A + alpha h_B; block_out: the block's own contribution swapped; positions
"all" or "completion"; the mixed value computed in float64 from float32 and rounded once).

Run by a maintainer, not by CI (it needs torch and the transformers source):

    apt-get install python3-torch python3-numpy python3-regex python3-yaml python3-filelock \
        python3-packaging python3-requests python3-tqdm
    # transformers v4.45.2 (53fad641...) and huggingface_hub v0.24.6 (23bab6a3...) sources:
    #   git -C <transformers clone> archive v4.45.2 src/transformers | tar x -C SRC
    #   git -C <huggingface_hub clone> archive v0.24.6 src/huggingface_hub | tar x -C SRC
    /usr/bin/python3 scripts/golden/family_patching.py --sources SRC/src

safetensors and tokenizers are stand-ins, written into a temporary directory: the checkpoints are
read here with numpy, and the tokens are ids.
"""
import argparse
import hashlib
import importlib
import json
import os
import struct
import sys
import tempfile

import numpy as np

CASES = ["f-qwen2-s3", "f-qwen2-untied-s3", "f-mistral-s3", "f-gemma2-s3"]
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources", "golden", "families")
STANDINS = {"safetensors": "0.4.5"}
SOURCES = {"transformers": "4.45.2", "huggingface_hub": "0.24.6"}


def distribution(root, name, version):
    info = os.path.join(root, f"{name}-{version}.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def install_standins(root):
    """Stand-ins for safetensors (the checkpoints are read with numpy) and tokenizers (the tokens are
    ids), and the package metadata transformers' version check reads. tokenizers gets no metadata,
    so transformers treats it as absent and imports only the names its GGUF module names."""
    for name, version in SOURCES.items():
        distribution(root, name, version)
    for name, version in STANDINS.items():
        distribution(root, name, version)
    stub = "def __getattr__(name):\n    return type(name, (), {})\n"
    for package, modules in (("safetensors", ["torch"]),
                             ("tokenizers", ["models", "pre_tokenizers", "decoders", "normalizers", "processors"])):
        os.makedirs(os.path.join(root, package), exist_ok=True)
        for module in ["__init__"] + modules:
            with open(os.path.join(root, package, module + ".py"), "w") as f:
                f.write(stub)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        start, end = e["data_offsets"]
        raw = body[start:end]
        if e["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif e["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif e["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{path}: {name}: dtype {e['dtype']}")
        out[name] = a.reshape(e["shape"]).copy()
    return out


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(torch, transformers, case_dir, tensors):
    with open(os.path.join(case_dir, "config.json")) as f:
        raw = json.load(f)
    # The family's own modules (transformers.models.auto would import the tokenizers it stands in for).
    family = raw["model_type"]
    prefix = {"qwen2": "Qwen2", "mistral": "Mistral", "gemma2": "Gemma2"}[family]
    configuration = importlib.import_module(f"transformers.models.{family}.configuration_{family}")
    modeling = importlib.import_module(f"transformers.models.{family}.modeling_{family}")
    config = getattr(configuration, prefix + "Config")(**raw)
    config._attn_implementation = "eager"
    model = getattr(modeling, prefix + "ForCausalLM")(config).to(torch.float32)
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    allowed = {"lm_head.weight"} if config.tie_word_embeddings else set()
    if set(missing) - allowed or unexpected:
        raise ValueError(f"{case_dir}: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    return model.eval()


def run(torch, model, tokens, patch=None):
    """Completion token log-probs after prompt[:k] for one sequence; patch = (layer, fn(input, output) -> output)."""
    captured = {}
    handles = []
    for layer, block in enumerate(model.model.layers):
        def hook(module, args, output, layer=layer):
            captured[layer] = (args[0].detach().clone(), output[0].detach().clone())
            if patch is not None and patch[0] == layer:
                return (patch[1](args[0], output[0]),) + tuple(output[1:])
            return None
        handles.append(block.register_forward_hook(hook))
    try:
        ids = torch.tensor([tokens])
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=False).logits[0]
    finally:
        for h in handles:
            h.remove()
    return torch.log_softmax(logits.float(), dim=-1), captured


def completion_logprobs(logprobs, tokens, k):
    return [float(logprobs[t - 1, tokens[t]]) for t in range(k, len(tokens))]


def mixer(torch, hook, alpha, positions, k, donor_in, donor_out):
    def mix(x, out):
        a = out.double()
        if hook == "resid_post":
            mixed = (1 - alpha) * a + alpha * donor_out.double()
        else:
            d_a = a - x.double()
            d_b = donor_out.double() - donor_in.double()
            mixed = x.double() + (1 - alpha) * d_a + alpha * d_b
        mixed = mixed.float()
        if positions == "completion":
            mixed[:, :k] = out[:, :k]
        return mixed
    return mix


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", required=True, help="directory holding the transformers and huggingface_hub packages")
    args = parser.parse_args()
    standins = tempfile.mkdtemp(prefix="locus-standins-")
    install_standins(standins)
    sys.path[:0] = [standins, args.sources]
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    import transformers

    for name, version in SOURCES.items():
        found = sys.modules[name].__version__ if name in sys.modules else __import__(name).__version__
        if found != version:
            raise SystemExit(f"--sources: {name} {found}, expected {version}")

    torch.manual_seed(0)
    rng = np.random.default_rng(20261201)
    for case in CASES:
        case_dir = os.path.join(GOLDEN, case)
        weights = os.path.join(case_dir, "model.safetensors")
        a_tensors = read_safetensors(weights)
        b_tensors = {k: v.ravel()[::-1].reshape(v.shape).copy() for k, v in a_tensors.items()}
        a = build(torch, transformers, case_dir, a_tensors)
        b = build(torch, transformers, case_dir, b_tensors)
        # The same model as the forward golden's reference: its longest sequence's completion log-probs agree.
        with open(os.path.join(case_dir, "expected.json")) as f:
            forward = max(json.load(f)["sequences"], key=lambda q: q["length"])
        lp, _ = run(torch, a, forward["tokens"])
        got = completion_logprobs(lp, forward["tokens"], forward["boundary"])
        worst = float(np.max(np.abs(np.array(got) - np.array(forward["completion"]["token_logprobs"]))))
        if worst > 1e-5:
            raise SystemExit(f"{case}: this setup differs from expected.json's reference by {worst}")
        vocab = a.config.vocab_size
        k = 14
        prompt = rng.integers(0, vocab, k).tolist()
        chosen = prompt + rng.integers(0, vocab, 9).tolist()
        rejected = prompt + rng.integers(0, vocab, 12).tolist()
        layers = a.config.num_hidden_layers
        clean = {}
        for name, model in (("A", a), ("B", b)):
            sides = {}
            for side, tokens in (("chosen", chosen), ("rejected", rejected)):
                lp, captured = run(torch, model, tokens)
                sides[side] = (completion_logprobs(lp, tokens, k), captured)
            clean[name] = sides
        cases = [("resid_post", layer, 1.0, "all") for layer in range(layers)]
        cases += [("block_out", 1, 0.5, "all"), ("block_out", layers - 1, 1.0, "all"), ("resid_post", 2, 1.0, "completion")]
        patched = []
        for hook, layer, alpha, positions in cases:
            entry = {"hook": hook, "layer": layer, "alpha": alpha, "positions": positions, "subspace": None}
            sums = {}
            for side, tokens in (("chosen", chosen), ("rejected", rejected)):
                donor_in, donor_out = clean["B"][side][1][layer]
                lp, _ = run(torch, a, tokens, (layer, mixer(torch, hook, alpha, positions, k, donor_in, donor_out)))
                token_lps = completion_logprobs(lp, tokens, k)
                entry[f"{side}_token_logprobs"] = token_lps
                entry[f"{side}_sum_logprob"] = float(np.sum(np.array(token_lps, dtype=np.float64)))
                sums[side] = entry[f"{side}_sum_logprob"]
            entry["margin"] = sums["chosen"] - sums["rejected"]
            patched.append(entry)

        def margin(name):
            c = np.sum(np.array(clean[name]["chosen"][0], dtype=np.float64))
            r = np.sum(np.array(clean[name]["rejected"][0], dtype=np.float64))
            return {"chosen_token_logprobs": clean[name]["chosen"][0], "rejected_token_logprobs": clean[name]["rejected"][0],
                    "margin": float(c - r)}

        out = {
            "schema": "golden-family-patching-v1",
            "case": case,
            "reference": {"transformers": transformers.__version__, "torch": torch.__version__, "attention": "eager",
                          "dtype": "float32", "script": "scripts/golden/family_patching.py"},
            "recipient_A": {"file": "model.safetensors", "sha256": sha256(weights)},
            "donor_B": "A with every tensor's elements in reverse order (flattened row-major): B[i] = A[n - 1 - i]",
            "conventions": "as golden/patching/expected.json: resid_post mixes block L's output, block_out swaps only "
                           "block L's contribution; 'completion' patches positions boundary..T-1; margin = sum log p(chosen) - "
                           "sum log p(rejected) after the shared prompt (float64 sums of float32 log-probs)",
            "margin": {"prompt": prompt, "boundary": k, "chosen": chosen, "rejected": rejected,
                       "A": margin("A"), "B": margin("B"), "patched": patched},
        }
        path = os.path.join(case_dir, "patching.json")
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"{case}: forward golden within {worst:.1e}; A margin {out['margin']['A']['margin']:.6f}, B {out['margin']['B']['margin']:.6f}, "
              f"{len(patched)} patched -> {path}")


if __name__ == "__main__":
    main()
