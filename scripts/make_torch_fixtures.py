#!/usr/bin/python3
"""Writes the PyTorch-exported ONNX fixtures that the runtime's tests bind with a ModelSignature.

Two tiny models, exported with torch.onnx.export (explicit state in and out, dynamic batch/sequence axes):

* lstm_lm.onnx   - Embedding(11, 5) -> LSTM(5, 6, 2 layers, batch_first=True) -> Linear(6, 11)
                   inputs tokens [batch, seq] int64, h0/c0 [2, batch, 6]; outputs logits, hn, cn
* gru_features.onnx - GRU(3, 6, 2 layers, batch_first=False) -> Linear(6, 2)
                   inputs features [seq, batch, 3] float, h0 [2, batch, 6]; outputs values, hn

Beside each model a JSON file holds a batched case (random inputs and initial state, PyTorch's outputs) and a
stepped case (one sequence fed one step at a time from a zero state, carrying hn/cn between calls in PyTorch).
All tensors are flattened row-major, with their shapes. Run with Debian's python (torch + onnx):

    /usr/bin/python3 scripts/make_torch_fixtures.py [output-folder]
"""
import json
import os
import sys

import torch
from torch import nn

SEED = 20240611
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "src", "test", "resources", "fixtures")


class LstmLanguageModel(nn.Module):
    def __init__(self, vocab=11, emb=5, hidden=6, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, tokens, h0, c0):
        y, (hn, cn) = self.rnn(self.embedding(tokens), (h0, c0))
        return self.head(y), hn, cn


class GruFeatureModel(nn.Module):
    def __init__(self, features=3, hidden=6, layers=2, outputs=2):
        super().__init__()
        self.rnn = nn.GRU(features, hidden, num_layers=layers, batch_first=False)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, features, h0):
        y, hn = self.rnn(features, h0)
        return self.head(y), hn


def flat(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def flat_int(t):
    return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}


def write_json(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)


def export(model, args, path, input_names, output_names, dynamic_axes):
    tmp = path + ".tmp"
    torch.onnx.export(model, args, tmp, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=17, do_constant_folding=True)
    os.replace(tmp, path)


def lstm_fixture():
    torch.manual_seed(SEED)
    model = LstmLanguageModel().eval()
    layers, hidden, vocab = 2, 6, 11
    batch, seq = 2, 4
    tokens = torch.randint(0, vocab, (batch, seq), dtype=torch.int64)
    h0 = torch.randn(layers, batch, hidden)
    c0 = torch.randn(layers, batch, hidden)
    path = os.path.join(OUT, "lstm_lm.onnx")
    export(model, (tokens, h0, c0), path, ["tokens", "h0", "c0"], ["logits", "hn", "cn"],
           {"tokens": {0: "batch", 1: "sequence"}, "h0": {1: "batch"}, "c0": {1: "batch"},
            "logits": {0: "batch", 1: "sequence"}, "hn": {1: "batch"}, "cn": {1: "batch"}})
    with torch.no_grad():
        logits, hn, cn = model(tokens, h0, c0)
        stepped_tokens = torch.randint(0, vocab, (1, 5), dtype=torch.int64)
        h = torch.zeros(layers, 1, hidden)
        c = torch.zeros(layers, 1, hidden)
        steps = []
        for t in range(stepped_tokens.shape[1]):
            out, h, c = model(stepped_tokens[:, t:t + 1], h, c)
            steps.append(out.reshape(-1))
    write_json(os.path.join(OUT, "lstm_lm.json"), {
        "vocabulary_size": vocab, "layers": layers, "hidden_size": hidden,
        "batch": {"tokens": flat_int(tokens), "h0": flat(h0), "c0": flat(c0),
                  "output": flat(logits), "hn": flat(hn), "cn": flat(cn)},
        "stepped": {"tokens": flat_int(stepped_tokens), "outputs": flat(torch.stack(steps)),
                    "hn": flat(h), "cn": flat(c)},
    })


def gru_fixture():
    torch.manual_seed(SEED + 1)
    model = GruFeatureModel().eval()
    layers, hidden, features = 2, 6, 3
    batch, seq = 3, 4
    x = torch.randn(seq, batch, features)
    h0 = torch.randn(layers, batch, hidden)
    path = os.path.join(OUT, "gru_features.onnx")
    export(model, (x, h0), path, ["features", "h0"], ["values", "hn"],
           {"features": {0: "sequence", 1: "batch"}, "h0": {1: "batch"},
            "values": {0: "sequence", 1: "batch"}, "hn": {1: "batch"}})
    with torch.no_grad():
        values, hn = model(x, h0)
        stepped = torch.randn(5, 1, features)
        h = torch.zeros(layers, 1, hidden)
        steps = []
        for t in range(stepped.shape[0]):
            out, h = model(stepped[t:t + 1], h)
            steps.append(out.reshape(-1))
    # The runtime speaks batch-first, so the JSON stores the batched case transposed to [batch, seq, ...].
    write_json(os.path.join(OUT, "gru_features.json"), {
        "feature_count": features, "layers": layers, "hidden_size": hidden,
        "batch": {"features": flat(x.transpose(0, 1).contiguous()), "h0": flat(h0),
                  "output": flat(values.transpose(0, 1).contiguous()), "hn": flat(hn)},
        "stepped": {"features": flat(stepped.transpose(0, 1).contiguous()), "outputs": flat(torch.stack(steps)),
                    "hn": flat(h)},
    })


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    lstm_fixture()
    gru_fixture()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))
