"""PyTorch twin of Pretext's ResNet-20 training step (ThroughputBenchmark --encoder-type resnet20).

The conv4 twin is ../shared/reference/torch_step.py; this one keeps its protocol (same flags, same
JSON fields, pre-made random inputs, Adam lr 1e-3, img/s = N / median step time) and swaps the
encoder for Pretext's ResNet-20 (plugins/standard ResNetEncoder, reference.conf `resnet20`):
  stem     3x3 conv (stride 1, pad 1, no bias) 1 -> 16 + batch norm + ReLU;
  stages   widths 16-32-64, 3 basic blocks each: conv3x3-BN-ReLU-conv3x3-BN plus shortcut, ReLU;
           the first block of stages 2 and 3 has stride 2 and a 1x1 conv (stride 2, no bias) + BN
           shortcut (28 -> 14 -> 7); batch norm uses batch statistics (eps 1e-5, gamma/beta);
           weights N(0, 2 / (k*k*out)) as Pretext's;
  output   global average pooling -> 64.
  simclr   projection Linear(64,512)+bias, BN1d(512), ReLU, Linear(512,128)+bias; NT-Xent tau 0.5
           over 2N views, averaged over all 2N rows.
  rotation all four rotations of each image, Linear(64,4)+bias, softmax cross-entropy.
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--method", default="simclr", choices=["simclr", "rotation"])
p.add_argument("--batch", type=int, default=256)
p.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--steps", type=int, default=8)
p.add_argument("--json", default=None)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(1)


def conv(cin, cout, k, stride):
    c = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False)
    nn.init.normal_(c.weight, std=(2.0 / (k * k * cout)) ** 0.5)
    return c


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-5, track_running_stats=False)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride), bn(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1), bn(cout)
        self.shortcut = (nn.Sequential(conv(cin, cout, 1, stride), bn(cout))
                         if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self, widths=(16, 32, 64), blocks=(3, 3, 3)):
        super().__init__()
        self.stem = nn.Sequential(conv(1, widths[0], 3, 1), bn(widths[0]), nn.ReLU())
        layers, cin = [], widths[0]
        for s, (w, n) in enumerate(zip(widths, blocks)):
            for b in range(n):
                layers.append(Block(cin, w, 2 if s > 0 and b == 0 else 1))
                cin = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(self.stem(x)).mean((2, 3))


def linear(i, o):
    l = nn.Linear(i, o)
    nn.init.normal_(l.weight, std=(2.0 / i) ** 0.5)
    nn.init.zeros_(l.bias)
    return l


enc = ResNet20()
n = a.batch
if a.method == "simclr":
    head = nn.Sequential(linear(64, 512), nn.BatchNorm1d(512, track_running_stats=False),
                         nn.ReLU(), linear(512, 128))
    views = 2 * n
    x = torch.rand(views, 1, 28, 28)
    tau = 0.5
    pos_index = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    eye = torch.eye(2 * n, dtype=torch.bool)

    def loss_fn():
        z = F.normalize(head(enc(x)), dim=1)
        s = (z @ z.t()) / tau
        s = s.masked_fill(eye, float("-inf"))
        return F.cross_entropy(s, pos_index)
else:
    head = linear(64, 4)
    views = 4 * n
    x = torch.rand(views, 1, 28, 28)
    labels = torch.arange(4).repeat(n)

    def loss_fn():
        return F.cross_entropy(head(enc(x)), labels)

model = nn.ModuleList([enc, head])
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)

times = []
for it in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    opt.step()
    times.append(time.perf_counter() - t0)
meas = sorted(times[a.warmup:])
med = meas[len(meas) // 2]
res = {
    "framework": "pytorch " + torch.__version__, "encoder": "resnet20", "method": a.method,
    "threads": a.threads, "batch": n, "views": views, "images_per_second": n / med,
    "step_seconds_median": med, "step_seconds_min": meas[0], "step_seconds_max": meas[-1],
    "loss_last": float(loss),
}
print(f"{a.method:9s} resnet20 torch threads={a.threads} batch={n} views={views}: {n / med:8.1f} img/s "
      f"(step median {med:.3f} s, min {meas[0]:.3f}, max {meas[-1]:.3f})", flush=True)
if a.json:
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)
