"""A tiny SigLIP-shaped model built offline for tests, vision tower included.

The SigLIP/SigLIP2 open_clip configs (ViT-B-16-SigLIP2, ViT-B-16-SigLIP-i18n-256, ...) take
their image tower from timm (`vit_base_patch16_siglip_224`: no class token, attention-pool
"map" head, no projection) and their text tower from open_clip's custom text transformer
with a Hugging Face sentencepiece tokenizer. TINY_SIGLIP_VISION_MODEL has the same two
towers at toy size: a timm VisionTransformer registered here under its own name with the
SigLIP arguments, and the text side of tests/multilingual.py's tiny SigLIP."""

from __future__ import annotations

import json
from pathlib import Path

from .multilingual import build_gemma_tokenizer

TINY_SIGLIP_VISION_MODEL = "test-tiny-siglip-vision"
TIMM_NAME = "test_tiny_vit_siglip_64"
WIDTH = 32  # timm_proj "none": the image tower's width is the embedding size, as in SigLIP


def _register_timm() -> None:
    import timm
    from timm.models import register_model
    from timm.models.vision_transformer import VisionTransformer

    if timm.is_model(TIMM_NAME):
        return

    def factory(pretrained: bool = False, **kwargs) -> VisionTransformer:
        # vit_base_patch16_siglip_224's arguments, at toy depth and width
        for key in ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir"):
            kwargs.pop(key, None)  # timm's factory bookkeeping, not model arguments
        args = dict(img_size=64, patch_size=16, embed_dim=WIDTH, depth=1, num_heads=2,
                    class_token=False, global_pool="map")
        return VisionTransformer(**dict(args, **kwargs))

    factory.__name__ = TIMM_NAME
    register_model(factory)


def register_tiny_siglip_vision(root: Path) -> str:
    """Register the timm trunk and the open_clip config (as ViT-B-16-SigLIP2's, scaled)."""
    import open_clip

    _register_timm()
    tok = build_gemma_tokenizer(root / "gemma-tiny")
    cfg = {"embed_dim": WIDTH, "init_logit_bias": -10, "custom_text": True,
           "vision_cfg": {"image_size": 64, "timm_model_name": TIMM_NAME,
                          "timm_model_pretrained": False, "timm_pool": "map",
                          "timm_proj": "none"},
           "text_cfg": {"context_length": 16, "vocab_size": 256, "hf_tokenizer_name": str(tok),
                        "tokenizer_kwargs": {"clean": "canonicalize"}, "width": WIDTH,
                        "heads": 2, "layers": 1, "no_causal_mask": True, "proj_bias": True,
                        "pool_type": "last", "norm_kwargs": {"eps": 1e-6},
                        "act_kwargs": {"approximate": "tanh"}}}
    configs = root / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / f"{TINY_SIGLIP_VISION_MODEL}.json").write_text(json.dumps(cfg), "utf-8")
    open_clip.add_model_config(configs)
    return TINY_SIGLIP_VISION_MODEL
