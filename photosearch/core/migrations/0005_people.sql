-- People (faces). Everything here is derived from the photos plus the user's decisions, and
-- `photosearch people forget` deletes all of it.
-- people: a group of faces, named or not (automatic clusters are unnamed people).
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT COLLATE NOCASE,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX people_name ON people(name);
-- faces: one detected face of a photo (content hash, so moves keep it). Box and landmarks
-- in oriented full-resolution pixels; descriptor float32 x 128 of model_id.
-- person_id NULL: not assigned yet. confirmed = 1: the user put it there; automation never
-- moves it.
CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL REFERENCES photos(hash),
    model_id TEXT NOT NULL,
    detector TEXT NOT NULL,
    box_left INTEGER NOT NULL,
    box_top INTEGER NOT NULL,
    box_right INTEGER NOT NULL,
    box_bottom INTEGER NOT NULL,
    score REAL,
    landmarks BLOB,
    descriptor BLOB NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX faces_hash ON faces(hash);
CREATE INDEX faces_person ON faces(person_id);
-- face_scans: one row per photo the faces pass has looked at (also when it found no face or
-- failed), so a resumed pass never redoes a photo.
CREATE TABLE face_scans (
    hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    detector TEXT NOT NULL,
    faces INTEGER NOT NULL,
    error TEXT,
    scanned_at REAL NOT NULL,
    PRIMARY KEY (hash, model_id)
);
-- "not this person": remembered so automation never puts the face back.
CREATE TABLE face_rejections (
    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (face_id, person_id)
);
