import pytest

from orchestrator import environments
from orchestrator.errors import UserError


def test_every_environment_loads_and_names_its_stacks():
    assert environments.names() == ["dev", "local", "prod", "qa"]
    for name in environments.names():
        env = environments.load(name)
        assert env.stack_name("data") == f"bookingchat-{name}-data"


def test_values_inherit_from_base_and_remember_their_source():
    qa = environments.load("qa")
    assert qa.values["deploy.termination_protection"].value is True
    assert qa.values["deploy.termination_protection"].source == "infra/environments/qa.toml"
    assert qa.values["aws.region"].source == "infra/environments/base.toml"


def test_prod_runs_two_colours_and_dev_one():
    assert environments.load("prod").app_stacks() == [
        "bookingchat-prod-app-blue",
        "bookingchat-prod-app-green",
    ]
    assert environments.load("dev").app_stacks() == ["bookingchat-dev-app"]


def test_unknown_environment_is_refused_with_the_known_ones():
    with pytest.raises(UserError, match="unknown environment 'nowhere'") as err:
        environments.load("nowhere")
    assert "dev, local, prod, qa" in err.value.hint


def test_unknown_key_is_refused(tmp_path):
    (tmp_path / "base.toml").write_text('[aws]\nregion = "us-east-1"\n')
    (tmp_path / "dev.toml").write_text('[aws]\nregoin = "eu-west-1"\n')
    with pytest.raises(UserError, match="unknown key 'aws.regoin'"):
        environments.load("dev", tmp_path)


def test_a_value_of_the_wrong_type_is_refused(tmp_path):
    (tmp_path / "base.toml").write_text("[deploy]\nblue_green = false\n")
    (tmp_path / "dev.toml").write_text('[deploy]\nblue_green = "yes"\n')
    with pytest.raises(UserError, match="must be a bool"):
        environments.load("dev", tmp_path)
