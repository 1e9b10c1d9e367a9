"""Kubernetes' CEL libraries as DRA selectors use them (holmes.agent.engine.rules.gpu.dra_cel),
checked against the results Kubernetes and cel-go document for each function."""

from __future__ import annotations

import pytest

from holmes.agent.engine.rules.gpu.dra_cel import CelError, evaluate

# (expression, documented result): cel-go ext/strings.go, k8s.io/apiserver/pkg/cel/library
# (lists.go, quantity.go, semverlib.go) and the Kubernetes CEL documentation.
DOCUMENTED = [
    ("'TacoCAT'.lowerAscii()", "tacocat"),
    ("'TacoCÆt Xii'.lowerAscii()", "tacocÆt xii"),
    ("'TacoCat'.upperAscii()", "TACOCAT"),
    ("'TacoCÆt Xii'.upperAscii()", "TACOCÆT XII"),
    ("'a,b'.split(',')", ["a", "b"]),
    ("'hello hello hello'.split(' ', 0)", []),
    ("'hello hello hello'.split(' ', 1)", ["hello hello hello"]),
    ("'hello hello hello'.split(' ', 2)", ["hello", "hello hello"]),
    ("'hello hello hello'.split(' ', -1)", ["hello", "hello", "hello"]),
    ("['hello', 'mellow'].join()", "hellomellow"),
    ("['hello', 'mellow'].join(' ')", "hello mellow"),
    ("[].join('/')", ""),
    ("'hello hello'.replace('he', 'we')", "wello wello"),
    ("'hello hello'.replace('he', 'we', 1)", "wello hello"),
    ("'hello hello'.replace('he', 'we', 0)", "hello hello"),
    ("'hello mellow'.indexOf('')", 0),
    ("'hello mellow'.indexOf('ello')", 1),
    ("'hello mellow'.indexOf('jello')", -1),
    ("'hello mellow'.indexOf('ello', 6)", 7),
    ("'hello mellow'.lastIndexOf('')", 12),
    ("'hello mellow'.lastIndexOf('ello')", 7),
    ("'hello mellow'.lastIndexOf('ello', 6)", 1),
    ("'tacocat'.substring(4)", "cat"),
    ("'tacocat'.substring(0, 4)", "taco"),
    ("'tacocat'.charAt(3)", "o"),
    ("'tacocat'.charAt(7)", ""),
    ("'  \\ttrim\\n    '.trim()", "trim"),
    ("'NVIDIA H100 80GB HBM3'.lowerAscii().matches('h100')", True),
    ("[1, 2, 3].indexOf(2)", 1),
    ("[1, 2, 2, 3].lastIndexOf(2)", 2),
    ("[1, 2, 3].isSorted()", True),
    ("[3, 1].isSorted()", False),
    ("[1, 2, 3].sum()", 6),
    ("[1, 2, 3].min()", 1),
    ("[1, 2, 3].max()", 3),
    ("sets.contains([1, 2, 3], [2, 3])", True),
    ("sets.intersects([1], [2])", False),
    ("isQuantity('1.3G')", True),
    ("isQuantity('1.3Gi')", True),
    ("isQuantity('1,3G')", False),
    ("quantity('200M').compareTo(quantity('0.2G'))", 0),
    ("quantity('1Gi') == quantity('1024Mi')", True),
    ("quantity('50k').isInteger()", True),
    ("quantity('9999999999999999999999999999999999999G').isInteger()", True),
    ("quantity('50k').asInteger()", 50000),
    ("quantity('50.5').asApproximateFloat()", 50.5),
    ("quantity('50M').sign()", 1),
    ("quantity('-50k').sign()", -1),
    ("quantity('50k').add(quantity('20k')) == quantity('70k')", True),
    ("quantity('50k').add(20) == quantity('50020')", True),
    ("quantity('50k').sub(quantity('20k')) == quantity('30k')", True),
    ("quantity('50k').sub(20) == quantity('49980')", True),
    ("quantity('81559Mi').isGreaterThan(quantity('79Gi'))", True),
    ("quantity('40Gi').isLessThan(quantity('79Gi'))", True),
    ("semver('1.2.3').isGreaterThan(semver('1.2.0'))", True),
    ("semver('1.2.3').isLessThan(semver('1.2.0'))", False),
    ("semver('1.2.3').compareTo(semver('1.2.3'))", 0),
    ("semver('1.0.0-alpha').compareTo(semver('1.0.0'))", -1),
    ("semver('1.2.3').major()", 1),
    ("semver('1.2.3').minor()", 2),
    ("semver('1.2.3').patch()", 3),
    ("'abc 123'.find('[0-9]+')", "123"),
    ("'abc'.find('[0-9]+')", ""),
    ("'123 abc 456'.findAll('[0-9]+')", ["123", "456"]),
    ("'123 abc 456'.findAll('[0-9]+', 1)", ["123"]),
    ("isSemver('1.0.0')", True),
    ("isSemver('v1.0')", False),
    ("isSemver('v1.0', true)", True),
    ("semver('v01.01', true) == semver('1.1.0')", True),
]


@pytest.mark.parametrize(("expression", "expected"), DOCUMENTED)
def test_kubernetes_cel_functions_give_the_documented_results(expression, expected) -> None:
    assert evaluate(expression, {}) == expected


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("semver('550')", "invalid semver '550'"),
        ("quantity('1,3G')", "quantities must match"),
        ("quantity('1.5').asInteger()", "not an integer"),
        ("'tacocat'.substring(-1)", "out of range"),
        ("'tacocat'.charAt(8)", "out of range"),
        ("quantity('1Gi') > quantity('1Mi')", "No such overload"),  # opaque, as in Kubernetes
        ("semver('1.0.0').isGreaterThan(quantity('1'))", "expected a semver"),
        ("device.attributes.nope", "no such key: nope"),
        ("device.attributes[", "Syntax error"),
    ],
)
def test_failures_name_the_expression_and_the_reason(expression, reason) -> None:
    with pytest.raises(CelError) as failure:
        evaluate(expression, {"device": {"attributes": {}}})
    assert failure.value.expression == expression
    assert reason in failure.value.reason
