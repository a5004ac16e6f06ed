"""torch's result dtype for the ops tapegrad runs on int32/bool tensors (run once; the JSON is committed).

    /work/venv/bin/python scripts/int-op-dtypes.py   # writes packages/autograd/test/int-op-dtypes.json

Each op runs on a [2, 3] input of each dtype (bool, int32, float32); the entry is the result's dtype
with int64 written as int32 (tapegrad has no int64), or "error" when torch refuses the input.
tapegrad itself never needs Python.
"""
import json
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent.parent / "packages" / "autograd" / "test" / "int-op-dtypes.json"

IDX = torch.tensor([[0, 2], [1, 1]])
MASK = torch.tensor([[True, False, True], [False, True, False]])
OPS = {
    "flip": lambda x: torch.flip(x, [0]),
    "roll": lambda x: torch.roll(x, 1, 1),
    "tril": lambda x: torch.tril(x),
    "triu": lambda x: torch.triu(x, 1),
    "cumsum": lambda x: torch.cumsum(x, 1),
    "cumprod": lambda x: torch.cumprod(x, 1),
    "narrow": lambda x: torch.narrow(x, 1, 1, 2),
    "chunk": lambda x: torch.chunk(x, 2, 1)[0],
    "unbind": lambda x: torch.unbind(x, 0)[0],
    "repeat": lambda x: x.repeat(2, 1),
    "tile": lambda x: torch.tile(x, (2,)),
    "reshape": lambda x: x.reshape(3, 2),
    "permute": lambda x: x.permute(1, 0),
    "expand": lambda x: x.unsqueeze(0).expand(2, 2, 3),
    "pad": lambda x: F.pad(x, (1, 1)),
    "concat": lambda x: torch.cat([x, x]),
    "stack": lambda x: torch.stack([x, x]),
    "floor": lambda x: torch.floor(x),
    "ceil": lambda x: torch.ceil(x),
    "trunc": lambda x: torch.trunc(x),
    "round": lambda x: torch.round(x),
    "frac": lambda x: torch.frac(x),
    "clamp(int bounds)": lambda x: torch.clamp(x, 0, 1),
    "clamp(fractional bound)": lambda x: torch.clamp(x, 0.5),
    "isNaN": lambda x: torch.isnan(x),
    "isFinite": lambda x: torch.isfinite(x),
    "isInf": lambda x: torch.isinf(x),
    "sort.values": lambda x: torch.sort(x, dim=1, stable=True).values,
    "sort.indices": lambda x: torch.sort(x, dim=1, stable=True).indices,
    "argsort": lambda x: torch.argsort(x, dim=1, stable=True),
    "topk.values": lambda x: torch.topk(x, 2, 1).values,
    "topk.indices": lambda x: torch.topk(x, 2, 1).indices,
    "argmax": lambda x: torch.argmax(x),
    "take": lambda x: torch.take(x, IDX),
    "takeAlongDim": lambda x: torch.take_along_dim(x, IDX, 1),
    "gather": lambda x: torch.gather(x, 1, IDX),
    "indexSelect": lambda x: torch.index_select(x, 1, torch.tensor([2, 0])),
    "maskedFill(int value)": lambda x: x.masked_fill(MASK, 1),
    "where": lambda x: torch.where(MASK, x, x),
    "eq": lambda x: torch.eq(x, x),
    "sum": lambda x: x.sum(),
}
INPUTS = {
    "bool": torch.tensor([[1, 0, 1], [0, 1, 1]], dtype=torch.bool),
    "int32": torch.tensor([[3, -1, 2], [0, 5, 4]], dtype=torch.int32),
    "float32": torch.tensor([[3.5, -1.0, 2.0], [0.0, 5.25, 4.0]]),
}
NAMES = {torch.bool: "bool", torch.int32: "int32", torch.int64: "int32", torch.float32: "float32"}


def run(f, x):
    try:
        return NAMES[f(x).dtype]
    except RuntimeError:
        return "error"


table = {op: {d: run(f, x) for d, x in INPUTS.items()} for op, f in OPS.items()}
OUT.write_text(json.dumps({"torch": torch.__version__, "ops": table}, indent=1) + "\n")
print(f"wrote {OUT} ({len(table)} ops)")
