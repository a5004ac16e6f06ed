"""Fixtures for tapegrad's interop tests, made by PyTorch itself (run once; outputs are committed).

    /work/venv/bin/python scripts/interop-fixtures.py            # writes test/fixtures/interop/
    /work/venv/bin/python scripts/interop-fixtures.py verify DIR  # loads tapegrad-written weights into torch

Needs torch, safetensors, onnx (and onnxscript for torch.onnx.export). tapegrad itself never needs Python.
Each model NAME gets NAME.safetensors (its state_dict, PyTorch names and dtypes) and NAME.io.safetensors
(`input` and `output`: the model's output in eval mode on a fixed input; the recurrent models also hold
their initial states `h0`/`c0` and final states `h_n`/`c_n`).

`verify DIR` checks the weights tapegrad trained (written by test/interop-safetensors.test.ts with
INTEROP_OUT=DIR) in torch, and records what it checked in test/fixtures/interop/torch-verified.json,
which the tests read (so they know the check was run, without Python).
"""
import json
import sys
from pathlib import Path

import torch
from torch import nn
from safetensors.torch import save_file, load_file

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "interop"


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 5),
    )


def transformer():
    return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", batch_first=True)


def lstm():
    return nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)


def gru():
    return nn.GRU(4, 5, bidirectional=True)


class Ops(nn.Module):
    """Layers and functions whose ONNX form has an operator of its own (HardSwish, Mish, PRelu, TopK,
    Einsum, DepthToSpace, InstanceNormalization, CumSum, Trilu, ...), for importOnnx's tests."""

    def __init__(self):
        super().__init__()
        self.conv, self.gn, self.inorm = nn.Conv2d(4, 8, 1), nn.GroupNorm(2, 8), nn.InstanceNorm2d(2, affine=True)
        self.prelu, self.ps, self.pu, self.lin = nn.PReLU(8), nn.PixelShuffle(2), nn.PixelUnshuffle(2), nn.Linear(8, 3)

    def forward(self, x):
        F = nn.functional
        y = self.prelu(self.gn(self.conv(x)))
        y = F.hardswish(y) + F.hardsigmoid(y) + F.mish(y) + F.selu(y) + torch.atan(y) + torch.floor(y * 3) / 3
        y = self.pu(self.inorm(self.ps(y)))
        y = y + torch.cumsum(y, 3) * 0.1 + torch.flip(y, [2]) + torch.tril(y)
        y = y.masked_fill(y > 2.0, 2.0)
        pooled = F.adaptive_max_pool2d(y, 1).flatten(1)
        top = torch.topk(y.flatten(2), 3, dim=2).values.mean(2)
        e = torch.einsum("bchw,bc->bhw", y, pooled).mean((1, 2), keepdim=True).flatten(1)
        return self.lin(pooled + top + e)


def upsample():
    return nn.Sequential(
        nn.Conv2d(2, 2, 1), nn.Upsample(scale_factor=2, mode="nearest"), nn.Upsample(size=(7, 9), mode="bilinear"),
        nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
    )


MODELS = {
    "mlp": (mlp, (2, 4)), "cnn": (cnn, (2, 1, 8, 8)), "transformer": (transformer, (2, 3, 8)),
    "lstm": (lstm, (3, 5, 4)), "gru": (gru, (5, 3, 4)), "ops": (Ops, (2, 4, 4, 4)),
    "upsample": (upsample, (1, 2, 3, 4)),
}

# Recurrent models take initial states and return final states too: the shapes of the extra inputs
# (layers * directions, batch, hidden), and how io names map onto torch's call and results.
STATES = {"lstm": {"h0": (4, 3, 6), "c0": (4, 3, 6)}, "gru": {"h0": (2, 3, 5)}}


def run(name, model, io):
    """The model's outputs by io name, on the inputs of `io`."""
    if name == "lstm":
        y, (h, c) = model(io["input"], (io["h0"], io["c0"]))
        return {"output": y, "h_n": h, "c_n": c}
    if name == "gru":
        y, h = model(io["input"], io["h0"])
        return {"output": y, "h_n": h}
    return {"output": model(io["input"])}


class Flat(nn.Module):
    """A recurrent model with tensors in and out (torch.onnx.export's signature), for the ONNX fixtures."""

    def __init__(self, name, model):
        super().__init__()
        self.name, self.model = name, model

    def forward(self, x, *states):
        io = dict(zip(["input", *STATES[self.name]], (x, *states)))
        return tuple(run(self.name, self.model, io).values())

# ONNX fixtures: NAME.onnx exported by torch.onnx.export (opset 18) from the same models and inputs.
# The CNN is exported unoptimized so BatchNormalization stays a node (the optimizer folds it into Conv).
# The recurrent models export as ONNX LSTM/GRU nodes (weights permuted into ONNX's gate order).
ONNX = {"mlp": {}, "cnn": {"optimize": False}, "transformer": {}, "lstm": {}, "gru": {}, "ops": {}, "upsample": {}}


def make(name):
    build, shape = MODELS[name]
    torch.manual_seed(0)
    model = build()
    io = {"input": torch.randn(*shape), **{k: torch.randn(*v) for k, v in STATES.get(name, {}).items()}}
    # A few training-mode passes so BatchNorm's running statistics are not their initial values.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            run(name, model, {**io, "input": torch.randn(*shape) * 2 + 0.5})
    model.eval()
    with torch.no_grad():
        outputs = run(name, model, io)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, OUT / f"{name}.safetensors")
    save_file({**io, **{k: v.contiguous() for k, v in outputs.items()}}, OUT / f"{name}.io.safetensors")
    if name in ONNX:
        import warnings
        warnings.filterwarnings("ignore")
        exported = Flat(name, model) if name in STATES else model
        args = tuple(io.values())
        torch.onnx.export(exported, args, OUT / f"{name}.onnx", dynamo=True, opset_version=18, external_data=False, **ONNX[name])
    return model


def dtypes():
    """One tensor per dtype tapegrad reads, with the exact values as F64 under `NAME.expected`."""
    values = torch.tensor([[0.0, -1.5, 65504.0], [3.140625, -2.0 ** -14, 1e-3]], dtype=torch.float64)
    ints = torch.tensor([[0, -7, 16777216], [123456, -16777216, 1]], dtype=torch.int64)
    tensors = {
        "f32": values.float(), "f64": values, "f16": values.half(), "bf16": values.bfloat16(),
        "i32": ints.int(), "i64": ints, "bool": torch.tensor([True, False, True]),
    }
    expected = {f"{k}.expected": v.double() for k, v in tensors.items()}
    save_file(tensors, OUT / "dtypes.safetensors", metadata={"source": "torch " + torch.__version__})
    save_file(expected, OUT / "dtypes.expected.safetensors")


def verify(directory):
    """Loads DIR/NAME.safetensors (written by tapegrad) into the torch model, checks DIR/NAME.io.safetensors,
    and records each model's largest difference in test/fixtures/interop/torch-verified.json."""
    directory = Path(directory)
    checked = {}
    for name, (build, _) in MODELS.items():
        path = directory / f"{name}.safetensors"
        if not path.exists():
            continue
        model = build()
        state = load_file(path)
        model.load_state_dict(state)
        model.eval()
        io = load_file(directory / f"{name}.io.safetensors")
        with torch.no_grad():
            outputs = run(name, model, io)
        err = max((y - io[k]).abs().max().item() for k, y in outputs.items())
        print(f"{name}: torch on tapegrad's weights, max |diff| = {err:.3g}")
        assert err < 1e-5, name
        # What tapegrad wrote, so the tests can tell the record is about today's training run.
        checked[name] = {
            "maxAbsDiff": err,
            "keys": sorted(state),
            "dtypes": {k: str(v.dtype).replace("torch.", "") for k, v in sorted(state.items()) if not v.is_floating_point()},
            "outputAbsSum": sum(y.abs().sum().item() for y in outputs.values()),
        }
    record = {"torch": torch.__version__, "models": checked}
    (OUT / "torch-verified.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        for name in MODELS:
            make(name)
        dtypes()
        print("wrote", sorted(p.name for p in OUT.iterdir()))
