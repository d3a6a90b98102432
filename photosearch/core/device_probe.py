"""Whether this machine has a GPU torch would use, known without importing torch.

Photos are embedded with onnxruntime on the CPU when the model's ONNX export exists
(no `import torch`: several seconds and about a gigabyte saved per indexing process), but
a GPU is faster still, so a machine that shows signs of one keeps the torch path, which
finds out for sure. The signs are cheap and conservative: a GPU driver's device files on
Linux, the CUDA driver library on Windows, Apple silicon (MPS) on macOS. A false "yes"
costs only the torch start-up that every run paid before; a false "no" cannot happen on
a machine whose torch could use the GPU, because torch needs exactly these drivers.
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import sys

# NVIDIA's driver (CUDA) and AMD's ROCm compute driver (torch's HIP builds).
_LINUX_GPU_SIGNS = ("/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd")


def gpu_likely() -> bool:
    """True when torch's "auto" device might be a GPU here."""
    if sys.platform.startswith("linux"):
        return any(os.path.exists(p) for p in _LINUX_GPU_SIGNS)
    if sys.platform == "win32":
        return ctypes.util.find_library("nvcuda") is not None
    if sys.platform == "darwin":
        return platform.machine() == "arm64"
    return True  # an unknown system: let torch decide


def runs_on_cpu(device: str) -> bool:
    """Whether the `device` setting ("auto", "cpu", "cuda:1", "mps", ...) means the CPU."""
    if device == "cpu":
        return True
    return device in ("", "auto") and not gpu_likely()
