"""Datasets: builders for offline data and loaders for users' data."""

from kgan.data.arrays import ArrayDataset
from kgan.data.arrays import as_dataset
from kgan.data.arrays import read_idx
from kgan.data.arrays import to_float_images
from kgan.data.fashion_mnist import CLASS_NAMES as FASHION_MNIST_CLASSES
from kgan.data.fashion_mnist import fashion_mnist_dataset
from kgan.data.fashion_mnist import load_fashion_mnist
from kgan.data.fashion_mnist import load_fashion_mnist_uint8
from kgan.data.emoji import EMOJI_CATEGORIES
from kgan.data.emoji import EMOJI_LICENSE
from kgan.data.emoji import EMOJI_SOURCE
from kgan.data.emoji import emoji_dataset
from kgan.data.emoji import emoji_package_dir
from kgan.data.emoji import install_emoji_package
from kgan.data.emoji import load_emoji
from kgan.data.emoji import load_emoji_uint8
from kgan.data.avatars import AVATAR_ATTRIBUTION
from kgan.data.avatars import AVATAR_LICENSE
from kgan.data.avatars import AVATAR_SOURCE
from kgan.data.avatars import AVATAR_STYLE
from kgan.data.avatars import AVATAR_TAG_GROUPS
from kgan.data.avatars import AVATAR_TAGS
from kgan.data.avatars import AvatarData
from kgan.data.avatars import avatar_tag_groups
from kgan.data.avatars import avatar_tags
from kgan.data.avatars import avatars_dataset
from kgan.data.avatars import build_avatars
from kgan.data.avatars import encode_avatar_tags
from kgan.data.avatars import load_avatars
from kgan.data.openmoji import COLORIZATION_SUBSET as OPENMOJI_COLORIZATION_SUBSET
from kgan.data.openmoji import OPENMOJI_ATTRIBUTION
from kgan.data.openmoji import OPENMOJI_LICENSE
from kgan.data.openmoji import OPENMOJI_SOURCE
from kgan.data.openmoji import OPENMOJI_VERSION
from kgan.data.openmoji import OpenMojiPairs
from kgan.data.openmoji import install_openmoji_package
from kgan.data.openmoji import load_openmoji_pairs
from kgan.data.openmoji import load_openmoji_pairs_uint8
from kgan.data.openmoji import openmoji_package_dir
from kgan.data.openmoji import openmoji_pairs_dataset
from kgan.data.lineart import LineArtPairs
from kgan.data.lineart import PairedImages
from kgan.data.lineart import extract_line_art
from kgan.data.lineart import line_art_pairs_from_folder
from kgan.data.lineart import load_paired_folders
