"""A tiny multilingual CLIP built offline for tests: a sentencepiece model trained here on a
few sentences in several scripts, a tiny XLM-RoBERTa text config (Hugging Face), and an
open_clip model config that points at both, registered under TINY_ML_MODEL."""

from __future__ import annotations

import io
import json
from pathlib import Path

TINY_ML_MODEL = "test-tiny-multilingual"
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
