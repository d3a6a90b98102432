-- Duplicates: "not duplicates" decisions, remembered per pair of photos (content hashes,
-- so they survive moves and renames). hash_a < hash_b; hash_a = hash_b means "these
-- identical copies are intentional" (hides the photo's exact-duplicate group).
-- The undo log of trashed files is a JSON-lines file in the library's undo/ folder, not SQL,
-- so it can be read (and acted on by hand) without the app.
CREATE TABLE dupe_not_duplicates (
    hash_a TEXT NOT NULL,
    hash_b TEXT NOT NULL,
    decided_at REAL NOT NULL,
    PRIMARY KEY (hash_a, hash_b)
);
CREATE INDEX dupe_not_duplicates_b ON dupe_not_duplicates(hash_b);
