"""Fixtures for tapegrad's interop tests, made by PyTorch itself (run once; outputs are committed).

    /work/venv/bin/python scripts/interop-fixtures.py            # writes test/fixtures/interop/
    /work/venv/bin/python scripts/interop-fixtures.py verify DIR  # loads tapegrad-written weights into torch

Needs torch, safetensors, onnx (and onnxscript for torch.onnx.export). tapegrad itself never needs Python.
Each model NAME gets NAME.safetensors (its state_dict, PyTorch names and dtypes) and NAME.io.safetensors
(`input` and `output`: the model's output in eval mode on a fixed input).
"""
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


MODELS = {"mlp": (mlp, (2, 4)), "cnn": (cnn, (2, 1, 8, 8)), "transformer": (transformer, (2, 3, 8))}

# ONNX fixtures: NAME.onnx exported by torch.onnx.export (opset 18) from the same models and inputs.
# The CNN is exported unoptimized so BatchNormalization stays a node (the optimizer folds it into Conv).
ONNX = {"mlp": {}, "cnn": {"optimize": False}, "transformer": {}}


def make(name):
    build, shape = MODELS[name]
    torch.manual_seed(0)
    model = build()
    x = torch.randn(*shape)
    # A few training-mode passes so BatchNorm's running statistics are not their initial values.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(*shape) * 2 + 0.5)
    model.eval()
    with torch.no_grad():
        y = model(x)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, OUT / f"{name}.safetensors")
    save_file({"input": x, "output": y}, OUT / f"{name}.io.safetensors")
    if name in ONNX:
        import warnings
        warnings.filterwarnings("ignore")
        torch.onnx.export(model, (x,), OUT / f"{name}.onnx", dynamo=True, opset_version=18, external_data=False, **ONNX[name])
    return model, x


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
    """Loads DIR/NAME.safetensors (written by tapegrad) into the torch model and checks DIR/NAME.io.safetensors."""
    directory = Path(directory)
    for name, (build, _) in MODELS.items():
        path = directory / f"{name}.safetensors"
        if not path.exists():
            continue
        model = build()
        model.load_state_dict(load_file(path))
        model.eval()
        io = load_file(directory / f"{name}.io.safetensors")
        with torch.no_grad():
            y = model(io["input"])
        err = (y - io["output"]).abs().max().item()
        print(f"{name}: torch on tapegrad's weights, max |diff| = {err:.3g}")
        assert err < 1e-5, name


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        for name in MODELS:
            make(name)
        dtypes()
        print("wrote", sorted(p.name for p in OUT.iterdir()))
