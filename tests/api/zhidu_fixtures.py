"""The fixtures of the API tests (backend, server, admin), loaded as a plugin (-p zhidu_fixtures) so
that tests beside a module (src/modules/NAME/test_NAME_api.py) get them too."""
import os

import pytest

from zhidu_harness import Server

BACKENDS = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def require_backend(backend):
    if backend == "postgresql" and not os.environ.get("ZHIDU_TEST_PG_URL"):
        if os.environ.get("CI"):
            pytest.fail("ZHIDU_TEST_PG_URL is not set in CI: make test must start PostgreSQL")
        pytest.skip("ZHIDU_TEST_PG_URL not set (run under scripts/with-postgres)")
    return backend


@pytest.fixture
def server(require_backend):
    s = Server(require_backend).start()
    yield s
    s.kill()


@pytest.fixture
def admin(server):
    c = server.admin()
    yield c
    c.close()
