"""GAN models: one file per family, network builders beside their model."""

from kgan.models.conditional import ConditionalGAN
from kgan.models.conditional import conditional_discriminator
from kgan.models.conditional import conditional_generator
from kgan.models.conditional import gan_cls_discriminator_loss
from kgan.models.dcgan import DCGAN
from kgan.models.dcgan import dcgan_discriminator
from kgan.models.dcgan import dcgan_generator
from kgan.models.gan import GAN
from kgan.models.progan import ProGAN
from kgan.models.progan import ProGANDiscriminator
from kgan.models.progan import ProGANGenerator
from kgan.models.wgan_gp import WGANGP
from kgan.models.pix2pix import Pix2Pix
from kgan.models.pix2pix import patch_discriminator
from kgan.models.pix2pix import unet_generator
from kgan.models.caae import CAAE
from kgan.models.caae import caae_encoder
from kgan.models.caae import caae_generator
from kgan.models.caae import caae_image_discriminator
from kgan.models.caae import caae_latent_discriminator
