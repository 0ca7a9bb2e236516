"""The main job: the digits example trains to 97% test accuracy and resumes from its checkpoint."""
import io
import contextlib

import oxytorch as ot
from oxytorch.examples import digits


def run(*args):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        acc = digits.main(list(args))
    return acc, buf.getvalue()


def test_digits_reaches_97_percent_and_resumes(tmp_path):
    ckpt = str(tmp_path / "ckpt.pth")
    acc, out = run("--epochs", "12", "--ckpt", ckpt)
    assert acc >= 0.97, out
    assert "reached 97% test accuracy" in out
    state = ot.load(ckpt)
    assert state["epoch"] == 11 and set(state) >= {"epoch", "model_state", "optim_state"}
    # Resume: continues at epoch 12 from the saved model and optimizer state.
    acc2, out2 = run("--epochs", "14", "--resume", "--ckpt", ckpt)
    assert "resumed from" in out2 and "at epoch 12" in out2
    assert "epoch 13:" in out2 and "epoch 12:" not in out2
    assert acc2 >= 0.97
    assert ot.load(ckpt)["optim_state"]["state"][0]["step"].item() == 14 * 45


def test_digits_checkpoint_loads_in_torch(tmp_path):
    import torch

    ckpt = str(tmp_path / "ckpt.pth")
    run("--epochs", "1", "--ckpt", ckpt)
    state = torch.load(ckpt, weights_only=True)
    model = digits.make_model(torch.nn)
    model.load_state_dict(state["model_state"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    opt.load_state_dict(state["optim_state"])
    assert state["epoch"] == 0
