"""Export the fine-tuned torch model to ONNX and quantize it to int8 (dynamic quantization)."""

from __future__ import annotations

import shutil
from pathlib import Path


def export(artifact_dir: Path, opset: int = 17, keep_fp32: bool = False) -> Path:
    """Write ``model.onnx`` (int8) next to the torch weights; returns its path."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import BertForSequenceClassification

    artifact_dir = Path(artifact_dir)
    model = BertForSequenceClassification.from_pretrained(str(artifact_dir / "torch"))
    model.eval()
    model.config.return_dict = False

    class _Logits(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    fp32 = artifact_dir / "model.fp32.onnx"
    torch.onnx.export(_Logits(model), (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=opset, dynamo=False,
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch"}})
    out = artifact_dir / "model.onnx"
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    if not keep_fp32:
        fp32.unlink()
    torch_dir = artifact_dir / "torch"
    if torch_dir.exists() and not keep_fp32:
        shutil.rmtree(torch_dir)
    return out
