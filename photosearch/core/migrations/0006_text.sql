-- Text in photos (OCR). One record per photo that the text pass has looked at (also when
-- it found nothing, or the file could not be read), with the engine + model version that
-- read it: a photo is read again only when that version changes. One row per text line,
-- box in oriented full-resolution pixels (JSON [[x,y] x4]). text_fts is a trigram index
-- over each line's `compact` form (normalised, spaces removed), rowid = text_lines.id; it is
-- kept in step by core/text/store.py (no triggers: migrations are split on semicolons).
-- text_lines.compact repeats the indexed form for queries under 3 characters: a LIKE scan of
-- a plain table is ~3x faster than one of the FTS table.
-- No foreign key to photos: a text record must not keep a purged photo's row alive;
-- TextStore.purge_missing() drops records of photos that are gone.
CREATE TABLE text_photos (
    hash TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    lines INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    seconds REAL,
    done_at REAL NOT NULL
);
CREATE TABLE text_lines (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    text TEXT NOT NULL,
    norm TEXT NOT NULL,
    compact TEXT NOT NULL,
    score REAL NOT NULL,
    box TEXT NOT NULL
);
CREATE INDEX text_lines_hash ON text_lines(hash);
CREATE VIRTUAL TABLE text_fts USING fts5(compact, tokenize = 'trigram');
