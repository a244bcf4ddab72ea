"""Plain PyTorch GANs (nn.Module, torch.optim, no Keras): the FID references.

    KERAS_BACKEND=torch python benchmarks/reference_dcgan_torch.py dcgan_fashion_mnist

For a kgan preset, trains the same architecture (kgan's `dcgan_generator` and
`dcgan_discriminator`), initialisation, optimizer, loss, batch size and number
of steps on the same data, written directly in PyTorch; then measures FID with
the same features and sample count through kgan.metrics. Results go to
benchmarks/quality.json under `reference/<preset>`.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

import kgan

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from train_preset import RECIPES  # noqa: E402
from train_preset import record_quality  # noqa: E402
from train_preset import training_arrays  # noqa: E402


def plan(image_size):
    start = 7 if image_size % 7 == 0 else 4
    return start, int(math.log2(image_size // start))


def batch_norm(channels):
    return nn.BatchNorm2d(channels, momentum=0.1, eps=1e-5)


class Generator(nn.Module):
    def __init__(self, image_size, channels, latent_dim, width):
        super().__init__()
        self.start, n_up = plan(image_size)
        self.filters = width * 2 ** (n_up - 1)
        self.dense = nn.Linear(latent_dim, self.start * self.start * self.filters, bias=False)
        layers, filters = [batch_norm(self.filters), nn.ReLU()], self.filters
        for _ in range(n_up - 1):
            layers += [nn.ConvTranspose2d(filters, filters // 2, 4, 2, 1, bias=False), batch_norm(filters // 2), nn.ReLU()]
            filters //= 2
        layers += [nn.ConvTranspose2d(filters, channels, 4, 2, 1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z):
        # Keras reshapes the dense output as NHWC; torch convolutions want NCHW.
        x = self.dense(z).view(-1, self.start, self.start, self.filters).permute(0, 3, 1, 2)
        return self.body(x)


class Discriminator(nn.Module):
    def __init__(self, image_size, channels, width, normalization):
        super().__init__()
        _, n_down = plan(image_size)
        layers, in_channels, filters = [], channels, width
        for i in range(n_down):
            normalized = i > 0 and normalization is not None
            layers.append(nn.Conv2d(in_channels, filters, 4, 2, 1, bias=not normalized))
            if normalized:
                layers.append(batch_norm(filters))
            layers.append(nn.LeakyReLU(0.2))
            in_channels, filters = filters, filters * 2
        self.body = nn.Sequential(*layers)
        size = image_size // 2**n_down
        self.head = nn.Linear(size * size * in_channels, 1)

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


class Sampler:
    """`generate(n, seed)` for a torch generator, latents drawn as kgan draws them."""

    def __init__(self, generator, latent_dim, distribution):
        self.generator, self.latent_dim, self.distribution = generator.eval(), latent_dim, distribution

    def latents(self, n, rng):
        if self.distribution == "uniform":
            return rng.uniform(-1, 1, (n, self.latent_dim)).astype("float32")
        return rng.standard_normal((n, self.latent_dim)).astype("float32")

    def generate(self, n, seed=None, batch_size=256):
        z = self.latents(n, np.random.Generator(np.random.PCG64(seed)))
        with torch.no_grad():
            images = self.generator(torch.from_numpy(z)).permute(0, 2, 3, 1).numpy()
        return kgan.images.to_uint8(images)


def color(x):
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1) - 0.5)
    mean = x.mean(1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1) * 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    return (x - mean) * (torch.rand(n, 1, 1, 1) + 0.5) + mean


def translation(x, ratio=0.125):
    n, _, h, w = x.shape
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy, dx = torch.randint(-sy, sy + 1, (n,)), torch.randint(-sx, sx + 1, (n,))
    padded = nn.functional.pad(x, [sx, sx, sy, sy])  # out[i] = x[i - dy], zeros outside
    rows = torch.arange(h)[None, :] - dy[:, None] + sy
    columns = torch.arange(w)[None, :] - dx[:, None] + sx
    picked = padded[torch.arange(n)[:, None, None], :, rows[:, :, None], columns[:, None, :]]
    return picked.permute(0, 3, 1, 2)


def cutout(x, ratio=0.5):
    n, _, h, w = x.shape
    size_y, size_x = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = torch.randint(0, h + (1 - size_y % 2), (n, 1)) - size_y // 2
    left = torch.randint(0, w + (1 - size_x % 2), (n, 1)) - size_x // 2
    rows, columns = torch.arange(h)[None, :], torch.arange(w)[None, :]
    inside_y = (rows >= top) & (rows < top + size_y)
    inside_x = (columns >= left) & (columns < left + size_x)
    return x * (1.0 - (inside_y[:, :, None] & inside_x[:, None, :]).float())[:, None]


def augment(x, policy):
    """DiffAugment as kgan.augment does it (NCHW)."""
    for name in (policy or "").split(","):
        if name:
            x = {"color": color, "translation": translation, "cutout": cutout}[name](x)
    return x


def gradient_penalty(critic, real, fake):
    epsilon = torch.rand(real.shape[0], 1, 1, 1)
    mixed = (real + epsilon * (fake - real)).requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()


class ReferenceGAN:
    """A recipe's GAN in plain PyTorch: the networks, their optimizers and one step.

    Builds kgan's DCGAN (or WGAN-GP) networks with its initialisation, Adam
    settings and latent distribution for `recipe` (a `RECIPES` entry), seeded
    by `seed` (torch's generator for weights and noise, NumPy's for latents
    and, in `train`, the data order).

    Args:
        recipe: dict with `family` ("dcgan" or "wgangp"), `image_size`,
            `channels`, `latent_dim`, `width`, `batch_size`, and optionally
            `n_critic` and `augment`.
        seed: int seed.

    Example:
    >>> gan = ReferenceGAN(RECIPES["dcgan_fashion_mnist"], seed=0)
    >>> d_loss, g_loss = gan.step(torch.zeros(64, 1, 28, 28))
    """

    def __init__(self, recipe, seed):
        torch.manual_seed(seed)
        size, channels, latent_dim, width = (recipe[k] for k in ("image_size", "channels", "latent_dim", "width"))
        self.recipe = recipe
        self.wgan = recipe["family"] == "wgangp"
        self.generator = Generator(size, channels, latent_dim, width)
        self.critic = Discriminator(size, channels, width, None if self.wgan else "batch")
        self.generator.apply(initialise)
        self.critic.apply(initialise)
        betas, lr = ((0.0, 0.9), 1e-4) if self.wgan else ((0.5, 0.999), 2e-4)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr, betas=betas, eps=1e-7)
        self.d_optimizer = torch.optim.Adam(self.critic.parameters(), lr, betas=betas, eps=1e-7)
        self.sampler = Sampler(self.generator, latent_dim, "normal" if self.wgan else "uniform")
        self.rng = np.random.default_rng(seed)
        self.policy = recipe.get("augment")

    def discriminate(self, images):
        return self.critic(augment(images, self.policy))

    def step(self, real):
        """One training step: `n_critic` D updates (1 for DCGAN), then one G update.

        Args:
            real: float32 NCHW tensor of a batch of real images in [-1, 1].

        Returns:
            `(d_loss, g_loss)`, scalar tensors (the last D update's loss).
        """
        batch = real.shape[0]
        softplus = nn.functional.softplus
        generator, critic = self.generator, self.critic
        generator.train()
        for _ in range(self.recipe.get("n_critic", 1)):
            z = torch.from_numpy(self.sampler.latents(batch, self.rng))
            fake = generator(z).detach()
            self.d_optimizer.zero_grad()
            if self.wgan:
                d_loss = critic(fake).mean() - critic(real).mean() + 10.0 * gradient_penalty(critic, real, fake)
            else:
                d_loss = softplus(-self.discriminate(real)).mean() + softplus(self.discriminate(fake)).mean()
            d_loss.backward()
            self.d_optimizer.step()
        if self.wgan:  # kgan's WGAN-GP draws fresh latents for the generator update
            z = torch.from_numpy(self.sampler.latents(batch, self.rng))
        self.g_optimizer.zero_grad()
        scores = self.discriminate(generator(z))
        g_loss = -scores.mean() if self.wgan else softplus(-scores).mean()
        g_loss.backward()
        self.g_optimizer.step()
        return d_loss, g_loss


def train(recipe, images, seed):
    """Trains `ReferenceGAN(recipe, seed)` on `images` (float32 NHWC) for `recipe["steps"]` steps.

    Returns:
        `(sampler, seconds)`: the trained generator's `Sampler` and the training time.
    """
    gan = ReferenceGAN(recipe, seed)
    data = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    rng = gan.rng  # the data order and the latents share one stream, as before
    order, position, batch = rng.permutation(len(data)), 0, recipe["batch_size"]

    started = time.time()
    for step in range(recipe["steps"]):
        if position + batch > len(order):
            order, position = rng.permutation(len(data)), 0
        real = data[order[position : position + batch]]
        position += batch
        d_loss, g_loss = gan.step(real)
        if step % 500 == 0 or step == recipe["steps"] - 1:
            print(f"step {step}: d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f}", flush=True)
    return gan.sampler, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", choices=sorted(RECIPES))
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    recipe = RECIPES[args.preset]
    sampler, seconds = train(recipe, training_arrays(recipe), args.seed)
    result = kgan.metrics.evaluate_on(sampler, recipe["dataset"], samples=args.samples)
    result.update(
        model=f"plain PyTorch {recipe['family'].upper()} (same networks)",
        steps=recipe["steps"], batch_size=recipe["batch_size"],
        train_seconds=round(seconds, 1), torch=torch.__version__,
        seed=args.seed,
        command=f"python benchmarks/reference_dcgan_torch.py {args.preset} --seed {args.seed}",
    )
    suffix = f"/seed{args.seed}" if args.seed else ""
    record_quality(f"reference/{args.preset}{suffix}", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
