"""GAN models: one file per family, network builders beside their model."""

from kgan.models.dcgan import DCGAN
from kgan.models.dcgan import dcgan_discriminator
from kgan.models.dcgan import dcgan_generator
from kgan.models.gan import GAN
from kgan.models.wgan_gp import WGANGP
