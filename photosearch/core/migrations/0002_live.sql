-- Live library (watching): folder online state and the grace period of deleted photos.
-- A folder on an unplugged drive keeps its files; offline_since says since when it is gone.
ALTER TABLE folders ADD COLUMN offline_since REAL;
-- Photos left with no file (deleted, or moved out of every folder). Their embeddings stay
-- until the grace period ends so a move back or an undo costs nothing; purge removes them.
CREATE TABLE orphans (
    hash TEXT PRIMARY KEY,
    since REAL NOT NULL
);
