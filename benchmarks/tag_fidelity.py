"""Tag fidelity and identity of a tag-conditioned avatar preset.

    python benchmarks/tag_fidelity.py cgan_avatars_64

Tag fidelity: the shipped tag classifier (scripts/train_fid_classifier.py
avatars) reads each tag group on the 5,000 held-out real avatars and on 5,000
generated faces, image i drawn with held-out avatar i's tags (seed 0).
Identity: for 1,000 of those tag sets, the distance between a face and the
same seed with one tag group changed, against the same tags with the next
seed (pixels, and the classifier's 128-d features).

Writes benchmarks/tags.json and prints the tables of benchmarks/README.md.
"""

import argparse
import json
import os

import keras

import kgan
from kgan.metrics import identity_distances
from kgan.metrics.fid import avatar_splits
from kgan.metrics.features import classifier_features
from kgan.metrics.features import FeatureNetwork

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_GROUPS = ("hair_color", "glasses")  # the acceptance: generated >= 80% of real


def measure(preset, samples, identity_samples):
    model = kgan.zoo.load(preset)
    classifier = kgan.metrics.avatar_tag_classifier()
    held_out = avatar_splits()[1]
    images, tags = held_out.images[:samples], held_out.tags[:samples]
    real = classifier.accuracy(images, tags)
    generated = classifier.fidelity(model, tags, seed=0)
    features = FeatureNetwork(
        classifier_features(classifier.network.model), "avatars_classifier/128"
    )
    identity = identity_distances(
        model, tags[:identity_samples], classifier.groups, features=features, seed=0
    )
    return {
        "preset": preset,
        "samples": int(len(tags)),
        "identity_samples": int(identity_samples),
        "real_accuracy": real,
        "generated_accuracy": generated,
        "identity": identity,
        "backend": keras.backend.backend(),
        "command": f"python benchmarks/tag_fidelity.py {preset}",
    }


def print_tables(result):
    print(f"Tag fidelity of `{result['preset']}` ({result['samples']} faces each):\n")
    print("| tag group | real held-out | generated | generated / real |")
    print("|---|---|---|---|")
    for group, real in result["real_accuracy"].items():
        generated = result["generated_accuracy"][group]
        mark = " (target >= 0.80)" if group in TARGET_GROUPS else ""
        print(f"| {group} | {real:.3f} | {generated:.3f} | {generated / real:.2f}{mark} |")
    print(f"\nIdentity ({result['identity_samples']} faces; mean distance to the face):\n")
    print("| change | pixels (mean abs, [0, 1]) | classifier features (L2) |")
    print("|---|---|---|")
    pixel, features = result["identity"]["pixel"], result["identity"]["features"]
    print(f"| the seed (same tags) | {pixel['other_seed']:.4f} | {features['other_seed']:.2f} |")
    print(f"| one tag group (same seed) | {pixel['one_tag']:.4f} | {features['one_tag']:.2f} |")
    for group, value in pixel["one_tag_by_group"].items():
        print(f"| ... {group} only | {value:.4f} | {features['one_tag_by_group'][group]:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("preset", nargs="?", default="cgan_avatars_64")
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--identity-samples", type=int, default=1000)
    parser.add_argument("--print-only", action="store_true", help="print the tables of tags.json")
    args = parser.parse_args()
    path = os.path.join(HERE, "tags.json")
    results = json.load(open(path)) if os.path.exists(path) else {}
    if not args.print_only:
        results[args.preset] = measure(args.preset, args.samples, args.identity_samples)
        with open(path, "w") as file:
            json.dump(results, file, indent=2, sort_keys=True)
    print_tables(results[args.preset])


if __name__ == "__main__":
    main()
