"""The fine-tuned Chinese text classifier: pretraining, fine-tuning, ONNX export and prediction.

Training needs torch + transformers (``pip install -e .[train]``); prediction needs only onnxruntime.
"""
