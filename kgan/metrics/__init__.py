"""Quality metrics: FID and KID over batches, with a pluggable feature network;
tag fidelity and identity for tag-conditioned models; L1, PSNR and colourfulness
for image translation; aging accuracy, identity and FID for face aging."""

from kgan.metrics.aging import AgeClassifier
from kgan.metrics.aging import age_classifier
from kgan.metrics.aging import evaluate_aging
from kgan.metrics.aging import group_accuracy
from kgan.metrics.distances import FeatureStatistics
from kgan.metrics.distances import frechet_distance
from kgan.metrics.distances import kernel_distance
from kgan.metrics.features import FeatureNetwork
from kgan.metrics.features import fashion_mnist_features
from kgan.metrics.features import shipped_classifier_features
from kgan.metrics.features import inception_v3_features
from kgan.metrics.fid import evaluate
from kgan.metrics.fid import evaluate_on
from kgan.metrics.fid import reference_labels
from kgan.metrics.fid import reference_sets
from kgan.metrics.fid import fid
from kgan.metrics.tags import TagClassifier
from kgan.metrics.tags import avatar_tag_classifier
from kgan.metrics.tags import change_one_tag
from kgan.metrics.tags import grouped_tag_loss
from kgan.metrics.tags import identity_distances
from kgan.metrics.tags import tag_accuracy
from kgan.metrics.translation import colourfulness
from kgan.metrics.translation import evaluate_translation
from kgan.metrics.translation import mean_absolute_error
from kgan.metrics.translation import psnr
