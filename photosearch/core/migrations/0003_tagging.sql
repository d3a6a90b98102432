-- Auto-tagging: user labels, their prompts and example photos, and per-photo tags.
-- A label's definition (prompts, examples, threshold, templates) is hashed into def_hash;
-- applied_hash/applied_model record what the stored auto tags were computed from, so a
-- changed definition or a new model shows up as "needs apply".
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    threshold REAL NOT NULL DEFAULT 0.5,
    threshold_user INTEGER NOT NULL DEFAULT 0,
    use_templates INTEGER NOT NULL DEFAULT 1,
    starter_set TEXT,
    def_hash TEXT,
    applied_hash TEXT,
    applied_model TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE label_prompts (
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    PRIMARY KEY (label_id, prompt)
);
-- Example photos: positive (this) or negative (not this), given by the user or learnt from
-- review decisions. The vector is kept for examples from outside the library.
CREATE TABLE label_examples (
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    positive INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('user', 'review')),
    path TEXT,
    model_id TEXT,
    vector BLOB,
    added_at REAL NOT NULL,
    PRIMARY KEY (label_id, hash)
);
-- One row per (photo, label) that is tagged or decided. 'auto': the model's tag (score at
-- or above the label's threshold); 'confirmed'/'rejected': the user's decision, which the
-- model never overrides.
CREATE TABLE photo_tags (
    hash TEXT NOT NULL,
    label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    score REAL,
    source TEXT NOT NULL CHECK (source IN ('auto', 'confirmed', 'rejected')),
    model_id TEXT,
    updated_at REAL NOT NULL,
    PRIMARY KEY (hash, label_id)
);
CREATE INDEX photo_tags_label ON photo_tags(label_id, source);
