"""Tiny multilingual models built offline for tests, from a sentencepiece model trained here
on a few sentences in several scripts:

- TINY_ML_MODEL, the shape of xlm-roberta-base-ViT-B-32: a Hugging Face XLM-RoBERTa text
  tower (tiny config) with its sentencepiece tokenizer;
- TINY_SIGLIP_MODEL, the text side of the SigLIP/SigLIP2 models: open_clip's own text tower
  (no causal mask, last-token pooling) with a Hugging Face (Gemma-style) sentencepiece
  tokenizer and the "canonicalize" text cleaning.

Each is an open_clip model config pointing at local folders, registered by name."""

from __future__ import annotations

import io
import json
from pathlib import Path

TINY_ML_MODEL = "test-tiny-multilingual"
TINY_SIGLIP_MODEL = "test-tiny-siglip"
SENTENCES = [
    "a dog runs on the beach", "a red car in the street", "two children play football",
    "собака бежит по пляжу", "красная машина на улице", "двое детей играют в футбол",
    "犬が浜辺を走る", "通りの赤い車", "子供たちがサッカーをする",
    "كلب يركض على الشاطئ", "ein Hund läuft am Strand", "un chien court sur la plage",
]


def build_text_folder(folder: Path) -> Path:
    """Hugging Face files of a tiny XLM-R text model: sentencepiece model + configs."""
    import sentencepiece as spm
    from transformers import XLMRobertaConfig

    folder.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES * 4), model_writer=model, vocab_size=160,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, bos_piece="<s>", pad_piece="<pad>",
        eos_piece="</s>", unk_piece="<unk>", minloglevel=2, num_threads=1)
    (folder / "sentencepiece.bpe.model").write_bytes(model.getvalue())
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 32}), "utf-8")
    XLMRobertaConfig(vocab_size=256, hidden_size=32, num_hidden_layers=1,
                     num_attention_heads=2, intermediate_size=64,
                     max_position_embeddings=48).save_pretrained(str(folder))
    return folder


def register_tiny_multilingual(root: Path) -> str:
    """Build the model's files under `root` and register its open_clip config."""
    import open_clip

    text = build_text_folder(root / "xlmr-tiny")
    cfg = {"embed_dim": 32,
           "vision_cfg": {"image_size": 64, "layers": 1, "width": 32, "head_width": 16,
                          "patch_size": 16},
           "text_cfg": {"hf_model_name": str(text), "hf_tokenizer_name": str(text),
                        "hf_pooler_type": "mean_pooler",  # as xlm-roberta-base-ViT-B-32
                        "context_length": 32}}
    configs = root / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / f"{TINY_ML_MODEL}.json").write_text(json.dumps(cfg), "utf-8")
    open_clip.add_model_config(configs)
    return TINY_ML_MODEL


def build_gemma_tokenizer(folder: Path) -> Path:
    """A Gemma-style tokenizer folder (tokenizer.model + tokenizer_config.json)."""
    import sentencepiece as spm

    folder.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES * 4), model_writer=model, vocab_size=160,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>",
        bos_piece="<bos>", unk_piece="<unk>", minloglevel=2, num_threads=1)
    (folder / "tokenizer.model").write_bytes(model.getvalue())
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "GemmaTokenizer", "padding_side": "right"}), "utf-8")
    return folder


def register_tiny_siglip(root: Path) -> str:
    """A SigLIP-shaped tiny model (custom text tower + HF tokenizer), registered by name."""
    import open_clip

    tok = build_gemma_tokenizer(root / "gemma-tiny")
    cfg = {"embed_dim": 32, "init_logit_bias": -10, "custom_text": True,
           "vision_cfg": {"image_size": 64, "layers": 1, "width": 32, "head_width": 16,
                          "patch_size": 16},
           "text_cfg": {"context_length": 16, "vocab_size": 256, "hf_tokenizer_name": str(tok),
                        "tokenizer_kwargs": {"clean": "canonicalize"}, "width": 32,
                        "heads": 2, "layers": 1, "no_causal_mask": True, "proj_bias": True,
                        "pool_type": "last", "norm_kwargs": {"eps": 1e-6},
                        "act_kwargs": {"approximate": "tanh"}}}
    configs = root / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    (configs / f"{TINY_SIGLIP_MODEL}.json").write_text(json.dumps(cfg), "utf-8")
    open_clip.add_model_config(configs)
    return TINY_SIGLIP_MODEL
