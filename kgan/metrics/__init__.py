"""Quality metrics: FID and KID over batches, with a pluggable feature network."""

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
