"""Text in photos (OCR): a later, gated indexing pass and a full-text index.

    engine.py     rapidocr wrapper (lazy import, bundled models checked, thread setting)
    normalize.py  folding (case, accents, spaces) and the fragment filter
    store.py      the feature's SQL: per-photo records, text lines, FTS5 trigram index
    settings.py   the `text` settings section and the time estimate
    textpass.py   the resumable, cancellable pass (CLI `index`, app worker)
    fusion.py     reciprocal-rank fusion of picture (CLIP) and text rankings

Qt-free; imports neither the indexer nor the watcher.
"""
