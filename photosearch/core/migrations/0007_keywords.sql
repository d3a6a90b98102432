-- Keywords both ways (issue 14); SQL in core/keywords_store.py.
-- xmp_written: each keyword-field value photosearch itself put into a photo's sidecar (the
-- photo's path, exiv2 key such as Xmp.dc.subject, the value, the tag it stands for): exactly
-- these are removed when the tag goes away, never a keyword another tool or the user wrote.
CREATE TABLE xmp_written (
    path TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (path, field, value)
);
-- file_keywords: keywords a file already carries (its sidecar NAME.EXT.xmp / NAME.xmp, its
-- embedded XMP, its IPTC Keywords), read at index time and when the sidecar changes; a
-- photo's keywords are those of all its paths. Keywords photosearch wrote are not listed.
CREATE TABLE file_keywords (
    path TEXT NOT NULL,
    keyword TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (path, keyword, source)
);
CREATE INDEX file_keywords_keyword ON file_keywords(keyword COLLATE NOCASE);
