#!/usr/bin/env bash
# llm-train's TensorBoardSinkTest loads Kiln's event files with TensorBoard's own EventAccumulator.
# TensorBoard goes into its own virtual environment from the machine's local wheel cache.
set -euo pipefail
VENV=/opt/kiln-tensorboard
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import tensorboard" >/dev/null 2>&1; then
  "$VENV/bin/python" -c "import tensorboard; print('tensorboard', tensorboard.__version__)"
  exit 0
fi
python3 -m venv "$VENV"
if [ -d /opt/pypi/files ]; then
  "$VENV/bin/pip" install -q --no-index --find-links /opt/pypi/files tensorboard
else
  "$VENV/bin/pip" install -q tensorboard
fi
"$VENV/bin/python" -c "import tensorboard; print('tensorboard', tensorboard.__version__)"
