"""A plain PyTorch DCGAN (nn.Module, torch.optim, no Keras), the FID reference.

    KERAS_BACKEND=torch python benchmarks/reference_dcgan_torch.py --steps 10000

Same architecture, initialisation, optimizer, loss, batch size and number of
steps as the `dcgan_fashion_mnist` preset (scripts/train_preset.py), trained on
the same data; its FID is measured with the same features and sample count by
kgan.metrics. Results go to benchmarks/quality.json.
"""

import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn

import kgan

HERE = os.path.dirname(os.path.abspath(__file__))


class Generator(nn.Module):
    def __init__(self, latent_dim=100, width=32, channels=1):
        super().__init__()
        self.width = width
        self.dense = nn.Linear(latent_dim, 7 * 7 * 2 * width, bias=False)
        self.body = nn.Sequential(
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z):
        # NHWC reshape as in Keras, then NCHW for torch.
        x = self.dense(z).view(-1, 7, 7, 2 * self.width).permute(0, 3, 1, 2)
        return self.body(x)


class Discriminator(nn.Module):
    def __init__(self, width=32, channels=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
        )
        self.head = nn.Linear(7 * 7 * 2 * width, 1)

    def forward(self, x):
        return self.head(self.body(x).permute(0, 2, 3, 1).flatten(1))


def initialise(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class TorchGenerated:
    """`generate(n, seed)` for the torch generator, latents as kgan's (PCG64, U(-1, 1))."""

    def __init__(self, generator, latent_dim):
        self.generator, self.latent_dim = generator.eval(), latent_dim

    def generate(self, n, seed=None, batch_size=256):
        z = np.random.Generator(np.random.PCG64(seed)).uniform(-1, 1, (n, self.latent_dim)).astype("float32")
        with torch.no_grad():
            images = self.generator(torch.from_numpy(z)).permute(0, 2, 3, 1).numpy()
        return kgan.images.to_uint8(images)


def train(steps, batch_size, seed, latent_dim=100):
    torch.manual_seed(seed)
    images, _ = kgan.data.load_fashion_mnist("train")
    data = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    generator, discriminator = Generator(latent_dim), Discriminator()
    generator.apply(initialise)
    discriminator.apply(initialise)
    g_optimizer = torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.999), eps=1e-7)
    d_optimizer = torch.optim.Adam(discriminator.parameters(), 2e-4, betas=(0.5, 0.999), eps=1e-7)
    bce = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(seed)
    order, position = rng.permutation(len(data)), 0
    started = time.time()
    for step in range(steps):
        if position + batch_size > len(order):
            order, position = rng.permutation(len(data)), 0
        real = data[order[position : position + batch_size]]
        position += batch_size
        z = torch.rand(batch_size, latent_dim) * 2 - 1
        fake = generator(z)
        d_optimizer.zero_grad()
        real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
        d_loss = bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))
        d_loss.backward()
        d_optimizer.step()
        g_optimizer.zero_grad()
        fake_logits = discriminator(generator(z))
        g_loss = bce(fake_logits, torch.ones_like(fake_logits))
        g_loss.backward()
        g_optimizer.step()
        if step % 500 == 0 or step == steps - 1:
            print(f"step {step}: d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f}", flush=True)
    return generator, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    generator, seconds = train(args.steps, args.batch_size, args.seed)
    test, _ = kgan.data.load_fashion_mnist("test")
    train_images, _ = kgan.data.load_fashion_mnist("train")
    result = kgan.metrics.evaluate(
        TorchGenerated(generator, 100), test, kgan.metrics.fashion_mnist_features(),
        samples=args.samples, floor_images=train_images,
    )
    result.update(model="plain PyTorch DCGAN-28 (width 32)", steps=args.steps,
                  batch_size=args.batch_size, train_seconds=round(seconds, 1), torch=torch.__version__)
    path = os.path.join(HERE, "quality.json")
    results = json.load(open(path)) if os.path.exists(path) else {}
    results["reference_dcgan_torch"] = result
    with open(path, "w") as file:
        json.dump(results, file, indent=2, sort_keys=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
