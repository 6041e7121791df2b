#!/usr/bin/env bash
# Fits a logistic regression on the worker's training CSV and writes an ONNX model with the parent's signature.
# Usage: train.sh DATA_CSV PARENT_ONNX OUTPUT_ONNX [--label NAME] [--iterations N] [--learning-rate R]
set -euo pipefail
exec dotnet "$(dirname "$0")/MlopsAspire.LogisticRegressionTrainer.dll" "$@"
