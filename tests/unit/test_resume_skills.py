"""The skill vocabulary as resumes use it: aliases, and longer names that contain shorter ones."""

from core.candidates.skills import extract, mentions, normalise


def test_reactjs_next_to_react_native_keeps_both() -> None:
    assert extract("ReactJS, React Native") == ["React", "React Native"]
    assert extract("react.js and react-native apps") == ["React", "React Native"]


def test_react_inside_react_native_alone_is_not_react() -> None:
    assert extract("Shipped React Native apps") == ["React Native"]


def test_aliases_map_to_canonical_names() -> None:
    assert extract("k8s, golang, js, PySpark, sklearn") == ["Kubernetes", "Go", "JavaScript", "Spark", "scikit-learn"]
    assert normalise("K8S") == "Kubernetes" and normalise("unknown thing") is None


def test_java_is_not_found_inside_javascript() -> None:
    assert extract("JavaScript") == ["JavaScript"]


def test_mentions_report_positions() -> None:
    text = "Go and Python"
    assert [(text[s:e], c) for s, e, c in mentions(text)] == [("Go", "Go"), ("Python", "Python")]
