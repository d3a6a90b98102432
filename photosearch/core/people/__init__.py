"""People: find faces, group them into people, name them, search by person.

Qt-free and opt-in. One job per module:
    models      the three permitted dlib model files and their install step
    detect      HOG (default) / CNN face detection on a reduced, oriented copy
    describe    5-point landmarks and the 128-d descriptor
    analyze     one photo in, its faces (in full-size oriented coordinates) out
    store       all SQL (migrations/0005_people.sql)
    face_index  the descriptors' own hnswlib index, derived from the catalog
    cluster     average-link / Chinese Whispers / single-link, and quality measures
    assign      incremental matching and re-clustering of unassigned faces
    faces_pass  the resumable, lower-priority indexing pass
    ops         use cases: enable/disable/forget, name, merge, not-this-person, hide
    search      person filters for the query language

dlib is imported only when faces are analysed, so importing this package is cheap.
"""
