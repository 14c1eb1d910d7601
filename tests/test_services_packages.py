"""The services split into packages by concern (issue 10 §1): every name the old modules had
is still there, and the imports a function makes when it runs (a task module imported on
commit, to break an import cycle) resolve from the package's modules."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

PACKAGES = ["core.services", "adjustments.services"]


def _modules(package: str):
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.iter_modules(root.__path__):
        yield importlib.import_module(f"{package}.{info.name}")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_import_inside_a_function_resolves(package):
    for module in _modules(package):
        tree = ast.parse(Path(module.__file__).read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    base = importlib.util.resolve_name(
                        "." * node.level + (node.module or ""), module.__package__
                    )
                    for alias in node.names:
                        target = importlib.import_module(base)
                        found = hasattr(target, alias.name) or importlib.util.find_spec(
                            f"{base}.{alias.name}"
                        )
                        assert found, f"{module.__name__}.{function.name}: {base}.{alias.name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(package):
    """(The private helpers the old modules had are re-exported too, for the tests.)"""
    root = importlib.import_module(package)
    for module in _modules(package):
        if module is root:
            continue
        own = {
            name
            for name, value in vars(module).items()
            if getattr(value, "__module__", None) == module.__name__ and not name.startswith("_")
        }
        assert own <= set(root.__all__), (module.__name__, own - set(root.__all__))
