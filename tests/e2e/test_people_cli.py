"""`photosearch people ...` and person search end to end, with the REAL dlib models on REAL
face photos (the CLIP model is the tiny random test model)."""

from __future__ import annotations

import json

from tests.e2e.cli_helpers import cli, cli_json
from tests.unit.people_helpers import copy_subset

SUBSET = {
    "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg", "Elton_John/5.jpg",
                   "Elton_John/6.jpg"],
    "Mindy Kaling": ["Mindy_Kaling/1.jpg", "Mindy_Kaling/2.jpg", "Mindy_Kaling/3.jpg"],
}


def test_people_cli_flow(tmp_path, capsys):
    lib = tmp_path / "library"
    photos = copy_subset(tmp_path / "photos", SUBSET)
    elton = {str(p) for p in photos["Elton John"]}
    mindy = {str(p) for p in photos["Mindy Kaling"]}

    code, out, _ = cli(capsys, lib, "people")
    assert code == 0 and "people enable" in out  # off by default, says how to turn it on
    code, out, err = cli(capsys, lib, "people", "enable")
    assert code == 0 and "forget" in out, err
    code, out, err = cli(capsys, lib, "index", str(tmp_path / "photos"))
    assert code == 0, err
    assert "faces: 7 photos scanned, 7 faces" in out and "2 new people" in out

    people = cli_json(capsys, lib, "people")
    assert [p["count"] for p in people] == [4, 3]
    assert all(p["name"] is None for p in people)
    for p in people:
        assert set(p) >= {"id", "name", "count", "faces"}
        for face in p["faces"]:
            assert set(face) == {"path", "box"} and len(face["box"]) == 4
    groups = {p["id"]: {f["path"] for f in p["faces"]} for p in people}
    e_id = next(i for i, g in groups.items() if g == elton)
    m_id = next(i for i, g in groups.items() if g == mindy)

    assert cli(capsys, lib, "people", "name", str(e_id), "Elton", "John")[0] == 0
    found = cli_json(capsys, lib, "search", "person:Elton_John")  # browse: no model needed
    assert {r["path"] for r in found} == elton
    found = cli_json(capsys, lib, "search", "--person", "Elton John", "piano")
    assert {r["path"] for r in found} == elton and all(r["score"] is not None for r in found)
    found = cli_json(capsys, lib, "search", "-person:Elton_John", "piano")
    assert {r["path"] for r in found} == mindy

    # merge Mindy into Elton (the name stays), then take one photo back out
    assert cli(capsys, lib, "people", "merge", str(e_id), str(m_id))[0] == 0
    shown = cli_json(capsys, lib, "people", "show", str(e_id))
    assert shown["name"] == "Elton John" and shown["count"] == 7
    one = sorted(mindy)[0]
    code, out, err = cli(capsys, lib, "people", "not", one, str(e_id))
    assert code == 0, err
    assert cli_json(capsys, lib, "people", "show", str(e_id))["count"] == 6
    assert one not in {r["path"] for r in cli_json(capsys, lib, "search", "person:Elton_John")}

    assert cli(capsys, lib, "people", "hide", str(e_id))[0] == 0
    assert e_id not in {p["id"] for p in cli_json(capsys, lib, "people")}
    assert e_id in {p["id"] for p in cli_json(capsys, lib, "people", "--all")}

    code, _, err = cli(capsys, lib, "people", "merge", str(e_id), "999")
    assert code == 1 and "no person 999" in err

    code, out, _ = cli(capsys, lib, "people", "forget", "--yes")
    assert code == 0 and "deleted 7 faces" in out
    assert cli_json(capsys, lib, "people", "--all") == []
    code, _, err = cli(capsys, lib, "search", "person:Elton_John")
    assert code == 1 and "no person is named" in err
    status = json.loads(cli(capsys, lib, "people", "status", "--json")[1])
    assert status["enabled"] is False and status["faces"] == 0 and status["scanned"] == 0


def test_enable_without_the_model_package_says_what_to_install(tmp_path, capsys, monkeypatch):
    import photosearch.core.people.models as models

    monkeypatch.setattr(models, "source_dir", lambda: None)
    code, _, err = cli(capsys, tmp_path / "library", "people", "enable")
    assert code == 1 and "photosearch[people]" in err and "dlib-bin" in err
