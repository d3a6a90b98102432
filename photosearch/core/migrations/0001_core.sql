-- Core catalog: folders, photos (by content hash), files (paths), embeddings, problems.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at REAL NOT NULL
);
CREATE TABLE photos (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    format TEXT,
    taken_at REAL,
    camera_make TEXT,
    camera_model TEXT,
    has_exif INTEGER NOT NULL DEFAULT 0,
    phash TEXT,
    dhash TEXT,
    added_at REAL NOT NULL
);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    hash TEXT NOT NULL REFERENCES photos(hash),
    folder_id INTEGER REFERENCES folders(id),
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    seen_at REAL NOT NULL
);
CREATE INDEX files_hash ON files(hash);
CREATE INDEX files_folder ON files(folder_id);
CREATE TABLE embeddings (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL REFERENCES photos(hash),
    model_id TEXT NOT NULL,
    vector BLOB NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (hash, model_id)
);
CREATE INDEX embeddings_model ON embeddings(model_id);
CREATE TABLE problems (
    path TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    at REAL NOT NULL
);
CREATE INDEX photos_taken ON photos(taken_at);
