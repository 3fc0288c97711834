from tests.funnel.population import population  # noqa: F401 - the hand-built population fixture
