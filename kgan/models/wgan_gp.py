"""WGAN-GP (Gulrajani et al. 2017): a Wasserstein critic with a gradient penalty."""

import keras

from kgan import losses
from kgan.models.dcgan import dcgan_discriminator
from kgan.models.dcgan import dcgan_generator
from kgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kgan")
class WGANGP(GAN):
    """WGAN-GP: `n_critic` critic updates per generator update.

    Critic loss `mean(C(fake)) - mean(C(real)) + lambda * GP`, the penalty
    on random interpolates of real and fake images; generator loss
    `-mean(C(G(z)))`. All critic updates of a step see the same real batch,
    each with fresh latents and interpolation weights. The critic must not use
    BatchNorm (the penalty is per sample); the generator may.

    Args:
        generator: a Keras model from latents to images.
        discriminator: the critic, from images to scores `[N, 1]`.
        gradient_penalty_weight: lambda (10 in the paper).
        n_critic: critic updates per generator update (5 in the paper).
        latent_distribution: `"normal"` (default) or `"uniform"`.
        seed: seed of the training noise.

    Example:
    >>> gan = WGANGP.create(28, channels=1)
    >>> gan.compile()
    >>> gan.fit(images, batch_size=64, epochs=1)
    """

    loss_names = ("d_loss", "g_loss", "gradient_penalty")

    def __init__(
        self,
        generator,
        discriminator,
        gradient_penalty_weight=10.0,
        n_critic=5,
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        if int(n_critic) < 1:
            raise ValueError(f"Expected n_critic >= 1. Received: n_critic={n_critic}")
        super().__init__(
            generator,
            discriminator,
            latent_distribution=latent_distribution,
            seed=seed,
            **kwargs,
        )
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.n_critic = int(n_critic)

    @classmethod
    def create(cls, image_size=64, channels=3, latent_dim=128, width=64, **kwargs):
        """A WGAN-GP with DCGAN-shaped networks (critic without BatchNorm)."""
        return cls(
            dcgan_generator(image_size, channels, latent_dim, width),
            dcgan_discriminator(image_size, channels, width, normalization=None),
            **kwargs,
        )

    def default_optimizer(self, network_name):
        # Algorithm 1 of the paper: Adam(1e-4, beta1=0, beta2=0.9).
        return keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)

    def gan_step(self, images, conditions=None):
        batch_size = keras.ops.shape(images)[0]
        critic = self.discriminator

        for _ in range(self.n_critic):
            latents = self.sample_latents(batch_size)
            epsilon = self.random_uniform((batch_size, 1, 1, 1))
            fake = keras.ops.stop_gradient(self.generator(latents, training=True))

            def critic_loss():
                wasserstein = losses.wasserstein_discriminator_loss(
                    critic(images, training=True), critic(fake, training=True)
                )
                penalty = losses.gradient_penalty(
                    lambda x: critic(x, training=True), images, fake, epsilon
                )
                return wasserstein + self.gradient_penalty_weight * penalty, penalty

            d_loss, penalty = self.update("discriminator", critic_loss)

        latents = self.sample_latents(batch_size)

        def generator_loss():
            scores = critic(self.generator(latents, training=True), training=True)
            return losses.wasserstein_generator_loss(scores)

        g_loss = self.update("generator", generator_loss)
        return {"d_loss": d_loss, "g_loss": g_loss, "gradient_penalty": penalty}

    def get_config(self):
        return {
            **super().get_config(),
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "n_critic": self.n_critic,
        }
